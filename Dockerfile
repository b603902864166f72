# syntax=docker/dockerfile:1
# The one Causeway image: `causeway controller` and `causeway proxy` (and the standalone modes) are the same binary.
#   docker build -t causeway .
#   docker run --rm causeway --help

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
# Every project under src/ is copied (the CLI references most of them, and new ones need no Dockerfile change).
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet restore src/Causeway/Causeway.csproj
RUN dotnet publish src/Causeway/Causeway.csproj -c Release --no-restore -o /app \
    && rm -f /app/*.pdb

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# Invariant globalization (Directory.Build.props); no ICU needed. Logs go to stdout.
ENV DOTNET_gcServer=0 \
    DOTNET_NOLOGO=1 \
    PATH="/app:${PATH}"
WORKDIR /app
COPY --from=build --chown=0:0 /app/ /app/
# Non-root (the same UID the install bundle's securityContext uses); the root filesystem can be read-only:
# only /tmp needs to be writable (an emptyDir in the Deployment).
USER 65532:65532
EXPOSE 18000 9000
ENTRYPOINT ["/app/causeway"]
CMD ["--help"]
