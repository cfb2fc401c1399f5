"""Publish stage: a reviewed, cleared edition recorded in git as one complete change, or nothing."""
