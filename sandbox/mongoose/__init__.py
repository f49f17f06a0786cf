"""A local Mongoose Metrics: the REST API v2 and the SPC SOAP API of the ASSUMED contract."""

from sandbox.mongoose.server import MongooseSandbox

__all__ = ["MongooseSandbox"]
