"""Whether the shared services of a production set-up answer (Redis), for skip reasons."""

import os

import redis

# db 5 of the local Redis is this branch's own; tests use their own key prefixes in it.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def redis_answers(url: str = REDIS_URL) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False
