"""gsi-tracker: source-cited tables of China's Global Security Initiative in policing."""

__version__ = "0.1.0"

# The function shadows its module's name on purpose: `gsi_tracker.load` is always the function. The module imports
# only the standard library and schema.py at import time (pandas and pyarrow load inside the functions), so this
# keeps `import gsi_tracker` and `gsi --help` fast.
from .load import Dataset, load  # noqa: E402

__all__ = ["Dataset", "load", "__version__"]
