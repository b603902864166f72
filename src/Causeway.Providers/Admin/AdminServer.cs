using Causeway.Providers.Output;
using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.Translation.Output;
using Causeway.Providers.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Causeway.Providers.Admin;

/// <summary>
/// The admin API: <c>/healthz</c>, <c>/readyz</c> (200 once a configuration is serving), <c>/status</c> (every object
/// with the status the translator decided, plus load errors) and <c>/config_dump</c> (the IR; private keys never
/// appear). Read-only, plain HTTP; bind it to loopback.
/// </summary>
public sealed class AdminServer : IAsyncDisposable
{
    private readonly AdminServerOptions _options;
    private readonly StandaloneRuntime _runtime;
    private readonly ILoggerFactory _loggerFactory;
    private WebApplication? _app;

    public AdminServer(AdminServerOptions options, StandaloneRuntime runtime, ILoggerFactory loggerFactory)
    {
        _options = options;
        _runtime = runtime;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The bound address (after <see cref="StartAsync"/>), e.g. <c>http://127.0.0.1:19000/</c>.</summary>
    public Uri? BaseAddress { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        if (_app is not null) throw new InvalidOperationException("already started");
        var app = Causeway.Telemetry.SmallHttpServer.Create(_options.Address, _loggerFactory);
        app.MapHealthEndpoints(() => _runtime.IsReady, "no configuration is serving yet");
        app.MapGet("/status", () => Json(BuildStatus()));
        app.MapGet("/config_dump", () => Json(BuildConfigDump()));
        BaseAddress = await Causeway.Telemetry.SmallHttpServer.StartAsync(app, ct).ConfigureAwait(false);
        _app = app;
    }

    /// <summary>The /status document.</summary>
    public JsonObject BuildStatus()
    {
        var state = _runtime.Current;
        var loadErrors = new JsonArray();
        foreach (var e in _options.LoadErrors()) loadErrors.Add(e);
        var failures = new JsonObject();
        foreach (var (listener, reason) in (state?.ListenerFailures ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            failures[listener] = reason;
        return new JsonObject
        {
            ["ready"] = _runtime.IsReady,
            ["version"] = state?.Version ?? 0,
            ["appliedAt"] = state is null ? null : JsonSerializer.SerializeToNode(state.AppliedAt, OutputJson.Options),
            ["lastError"] = _runtime.LastError,
            ["loadErrors"] = loadErrors,
            ["listenerFailures"] = failures,
            ["items"] = state is null ? new JsonArray() : StatusDocuments.Build(state.Snapshot, state.Result, state.FirstSeen),
        };
    }

    /// <summary>The /config_dump document.</summary>
    public JsonObject BuildConfigDump()
    {
        var state = _runtime.Current;
        return new JsonObject
        {
            ["version"] = state?.Version ?? 0,
            ["gateways"] = state is null ? new JsonArray() : StatusDocuments.BuildConfigDump(state.Result),
        };
    }

    private static IResult Json(JsonNode node) =>
        Results.Text(node.ToJsonString(OutputJson.Options) + "\n", "application/json");

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await Causeway.Telemetry.SmallHttpServer.StopAsync(_app).ConfigureAwait(false);
        _app = null;
    }
}
