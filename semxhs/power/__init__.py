"""Monte Carlo power and sample-size planning (``semxhs power``), as simsem, semPower and Mplus MONTECARLO.

``design`` (the population and analysis models, the true values the analysis model should
recover), ``nonnormal`` (Vale-Maurelli non-normal data), ``replication`` (one simulated
data set fitted), ``engine`` (all replications, serially or on a Dask cluster, each with
its own ``SeedSequence`` child so the numbers never depend on the scheduling), ``analytic``
(RMSEA-based power of the whole model, MacCallum, Browne & Sugawara, 1996; the
normal-theory power of one coefficient) and ``results`` (the tidy ``power`` rows).
"""
