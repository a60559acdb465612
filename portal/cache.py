"""Django's Redis cache, without a new client per operation.

Django 5.2's RedisCacheClient.get_client() builds a fresh `redis.Redis` for every cache call, and
each one fills a table of ~170 response callbacks: about a third of the cost of serving a cached
page. A client is thread-safe and holds no connection of its own (the pool does), so one per
connection pool is enough. Selected in portal/settings.py whenever CACHE_URL is a Redis URL.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def clear(self):
        """Delete only this cache's own keys (its KEY_PREFIX namespace, REDIS_KEY_PREFIX): Django's
        clear() flushes the whole Redis database, which the sessions' cache (settings
        CACHES["durable"]), other deployments or other test runs may share."""
        client = self._cache.get_client(write=True)
        pattern = f"{_glob_escape(self.key_prefix)}:*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)
        return True


def _glob_escape(text: str) -> str:
    """Escape Redis glob metacharacters, so that a prefix matches only itself."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
