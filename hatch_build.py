"""Build hook: install the browser assets from the npm registry (pinned in
frontend/package-lock.json) and copy the files the service serves into
therapykg/api/static/vendor, so that they ship inside the wheel."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# npm package file -> name under static/vendor
ASSETS = {
    "@zazuko/yasgui/build/yasgui.min.js": "yasgui.min.js",
    "@zazuko/yasgui/build/yasgui.min.css": "yasgui.min.css",
    "graphiql/graphiql.min.js": "graphiql.min.js",
    "graphiql/graphiql.min.css": "graphiql.min.css",
    "react/umd/react.production.min.js": "react.production.min.js",
    "react-dom/umd/react-dom.production.min.js": "react-dom.production.min.js",
}


class FrontendAssetsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        frontend = root / "frontend"
        vendor = root / "therapykg" / "api" / "static" / "vendor"
        modules = frontend / "node_modules"
        lock = frontend / "package-lock.json"
        stamp = modules / ".therapykg-installed"
        if not stamp.exists() or stamp.read_bytes() != lock.read_bytes():
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError("npm is needed to build therapykg (it installs the query editor's assets "
                                   "from the npm registry); install Node.js and npm")
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=frontend, check=True)
            stamp.write_bytes(lock.read_bytes())
        vendor.mkdir(parents=True, exist_ok=True)
        for source, target in ASSETS.items():
            shutil.copyfile(modules / source, vendor / target)
        build_data["artifacts"].append("therapykg/api/static/vendor/")
