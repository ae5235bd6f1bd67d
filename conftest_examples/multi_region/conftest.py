"""Clients in two Regions, both answered by the one ``kms`` mock.

A mock holds every Region; like AWS, each Region has its own keys.  The Region
of a call is the client's ``region_name``.
"""
import boto3
import pytest


@pytest.fixture
def us_east_1(kms):
    return boto3.client("kms", region_name="us-east-1")


@pytest.fixture
def eu_west_1(kms):
    return boto3.client("kms", region_name="eu-west-1")
