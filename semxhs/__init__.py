"""semxhs: structural equation modelling of survey data for social-commerce research."""

__version__ = "0.1.0"
