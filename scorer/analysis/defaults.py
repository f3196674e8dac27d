"""The analyses' defaults, in a module of their own: the command line and the API name them without
loading the analyses themselves (each loads only when a command asks for it)."""

RIDGE = 1.0  # calibrate: how strongly the fit is pulled toward the pack's own weights
BASE_DRAWS = 1024  # global sensitivity: base draws of the Sobol design
DELTA = 0.25  # sensitivity: the relative change of each weight
DRAWS = 1000  # bands: draws of the uncertain weights
SEED = 0  # the seed of the draws (bands and global sensitivity)
