"""The sans-I/O protocol core: codecs, signers, socket dialects and backoff, with no sockets and no clock."""
