"""catalog: the shop's products, their prices and their stock."""
from importlib import metadata

try:  # installed from its wheel (a release, lesson 06): the version it was built as, naming its commit
    __version__ = metadata.version("shop-catalog")
except metadata.PackageNotFoundError:  # run from its folder, as the lessons run it
    __version__ = "1.0.0"
