"""Mule lab: a reproducible money-mule ("drop") simulator and detectors measured on its labels."""
