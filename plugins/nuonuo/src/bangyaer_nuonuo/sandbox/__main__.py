"""``python -m bangyaer_nuonuo.sandbox [--port N]``: serve the sandbox on loopback."""

from __future__ import annotations

import argparse

import uvicorn

from . import DEMO_APP, Sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description="Nuonuo open-platform sandbox (not real).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    print(f"appKey {DEMO_APP.app_key}, appSecret {DEMO_APP.app_secret}, "
          f"税号 {DEMO_APP.tax_no}; token at /accessToken, API at /open/v1/services")
    uvicorn.run(Sandbox().app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
