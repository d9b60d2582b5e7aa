"""Openers that turn a target (directory, image archive, registry image, zip) into a TargetFS."""
