"""The Redis cache, tolerant of Redis being down.

Django's RedisCache raises on a refused connection, and every API request reads the cache (DRF
throttling): here a read becomes a miss and a write is dropped, with a warning in the logs, so
pages and the API keep answering (throttles then let requests through until Redis is back).
"""

import logging

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("core.cache")

# What each operation answers while Redis is unreachable: (args, kwargs) → value.
FALLBACKS = {
    "get": lambda args, kwargs: args[1] if len(args) > 1 else kwargs.get("default"),
    "get_many": lambda args, kwargs: {},
    "has_key": lambda args, kwargs: False,
    "add": lambda args, kwargs: False,
    "set": lambda args, kwargs: None,
    "set_many": lambda args, kwargs: list(args[0]) if args else [],
    "touch": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "delete_many": lambda args, kwargs: None,
    "clear": lambda args, kwargs: False,
}


def _tolerant(name, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            logger.warning("Cache Redis indisponible (%s) : %s ignoré.", error, name)
            return fallback(args, kwargs)

    method.__name__ = name
    return method


class TolerantRedisCache(RedisCache):
    pass


for _name, _fallback in FALLBACKS.items():
    setattr(TolerantRedisCache, _name, _tolerant(_name, _fallback))
