"""One reader per input format, each returning `RawRecord`s with the file and line they came
from; `detect` tells the formats apart."""
