# syntax=docker/dockerfile:1
# The one Causeway image: `causeway controller` and `causeway proxy` (and the standalone modes) are the same binary.
#   docker build -t causeway .
#   docker run --rm causeway --help

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
# Restore first, from the project files only, so source edits do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Causeway/Causeway.csproj src/Causeway/
COPY src/Causeway.Model/Causeway.Model.csproj src/Causeway.Model/
COPY src/Causeway.Translation/Causeway.Translation.csproj src/Causeway.Translation/
COPY src/Causeway.DataPlane/Causeway.DataPlane.csproj src/Causeway.DataPlane/
COPY src/Causeway.Providers/Causeway.Providers.csproj src/Causeway.Providers/
COPY src/Causeway.Echo/Causeway.Echo.csproj src/Causeway.Echo/
COPY src/Causeway.Distribution/Causeway.Distribution.csproj src/Causeway.Distribution/
RUN dotnet restore src/Causeway/Causeway.csproj
COPY src/ src/
RUN dotnet publish src/Causeway/Causeway.csproj -c Release --no-restore -o /app \
    && rm -f /app/*.pdb

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# Invariant globalization (Directory.Build.props); no ICU needed. Logs go to stdout.
ENV DOTNET_gcServer=0 \
    DOTNET_NOLOGO=1 \
    ASPNETCORE_URLS= \
    PATH="/app:${PATH}"
WORKDIR /app
COPY --from=build --chown=0:0 /app/ /app/
# Non-root (the same UID the install bundle's securityContext uses); the root filesystem can be read-only:
# only /tmp needs to be writable (an emptyDir in the Deployment).
USER 65532:65532
EXPOSE 18000 9000
ENTRYPOINT ["/app/causeway"]
CMD ["--help"]
