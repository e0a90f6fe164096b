"""Server that "caches" everything: it allocates memory without bound before it listens."""
import sys

cache = []
while True:
    cache.append(bytearray(16 * 1024 * 1024))  # touched: bytearray zero-fills
