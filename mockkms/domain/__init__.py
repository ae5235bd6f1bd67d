"""KMS as data: keys and their materials, ciphertexts, the clock, the world of stores.

Knows nothing of botocore, JSON or AWS error codes.
"""
