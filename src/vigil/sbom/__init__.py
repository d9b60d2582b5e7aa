"""CycloneDX and SPDX encoding and decoding of inventories."""
