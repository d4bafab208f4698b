#!/usr/bin/env bash
# Pre-release only: drops every migration and creates one Initial per provider from the current model.
# Run from the repository root after changing entities while no database outside tests exists yet.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
dotnet restore RoomsPortal.sln >/dev/null
for provider in Sqlite SqlServer PostgreSql; do
  project="src/RoomsPortal.Migrations.$provider"
  rm -rf "$project/Migrations"
  dotnet ef migrations add Initial --project "$project" --startup-project "$project" -o Migrations
done
dotnet format --include src/RoomsPortal.Migrations.* >/dev/null || true
