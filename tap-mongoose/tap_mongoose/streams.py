"""Mongoose Metrics streams: the two reports users know, Get Fulfilled and Customer Report."""

from __future__ import annotations

from tap_mongoose import contract
from tap_mongoose.client import ReportStream


class FulfilledStream(ReportStream):
    """Fulfilled calls: one row per call routed to its destination, with its attribution."""

    name = "fulfilled"
    report = contract.FULFILLED
    primary_keys = contract.FULFILLED.primary_keys
    replication_key = contract.FULFILLED.replication_key


class CustomersStream(ReportStream):
    """The Customer Report: one row per customer account and account-local day."""

    name = "customers"
    report = contract.CUSTOMERS
    primary_keys = contract.CUSTOMERS.primary_keys
    replication_key = contract.CUSTOMERS.replication_key


STREAMS: tuple[type[ReportStream], ...] = (FulfilledStream, CustomersStream)
