using System.Diagnostics;
using System.Runtime.CompilerServices;
using Causeway.DataPlane.Upstream;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>
/// SecurityPolicy <c>extAuth</c>: every request waits for an external service's decision. <see cref="Start"/> reads
/// what the check needs from the request; the check then runs on the backend's connection pool, bounded by the
/// policy's timeout: allowed requests go on with the header edits the service asked for, denied ones get the service's
/// answer, and when the service fails (unreachable, timeout, 5xx, unusable answer) <c>failOpen</c> lets the request
/// through or the client gets <c>statusOnError</c>. With <c>bodyToExtAuth</c> the body (up to its limit; more: 413) is
/// read on the Kestrel pipeline, which then serves the route (<see cref="ExtAuthBodyStep"/>).
/// </summary>
internal sealed class ExtAuthStep : AsyncDecideStep
{
    private readonly ExtAuthIr _ir;
    private readonly string _policy;
    private readonly IExtAuthClient? _client;
    private readonly ExtAuthStats? _stats;
    private readonly string[] _httpHeaders;
    private readonly Dictionary<string, HeaderText> _names = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="backend">The service's backend; null when it is not served (every check fails).</param>
    public ExtAuthStep(string policy, ExtAuthIr ir, BackendRuntime? backend, ExtAuthStats? stats)
    {
        _ir = ir;
        _policy = policy;
        _stats = stats;
        _client = backend is null ? null : ir.Protocol == ExtAuthProtocol.Grpc ? new GrpcExtAuthClient(ir, backend) : new HttpExtAuthClient(ir, backend);
        // HTTP services always get Authorization (Host, method, path and Content-Length are part of the request itself).
        _httpHeaders = [.. new[] { "authorization" }.Concat(ir.HeadersToExtAuth).Distinct(StringComparer.OrdinalIgnoreCase)];
        foreach (var name in ir.HeadersToBackend) _names[name] = new HeaderText(name);
    }

    /// <summary>This step for one route's rule: the same client, with the route's metadata in every gRPC check.</summary>
    private ExtAuthStep(ExtAuthStep shared, RouteMetadataIr route)
    {
        _ir = shared._ir;
        _policy = shared._policy;
        _stats = shared._stats;
        _client = shared._client;
        _httpHeaders = shared._httpHeaders;
        _names = shared._names;
        _route = route;
        _routeMetadata = GrpcExtAuthClient.RouteMetadata(route);
    }

    private readonly RouteMetadataIr? _route;
    private readonly Envoy.Config.Core.V3.Metadata? _routeMetadata;

    /// <inheritdoc cref="ExtAuthStep(ExtAuthStep, RouteMetadataIr)"/>
    public ExtAuthStep ForRoute(RouteMetadataIr route) => new(this, route);

    public override StepStage Stage => StepStage.Authentication;

    public override string Describe() =>
        $"ext-auth {_policy} {_client?.Describe() ?? (_ir.BackendId is null ? "(no backend)" : $"{_ir.BackendId} (not served)")} timeout={_ir.Timeout.TotalMilliseconds:0}ms" +
        (_ir.FailOpen ? " failOpen" : $" statusOnError={_ir.StatusOnError}") +
        (_ir.MaxRequestBytes is { } max ? $" body<={max}" : "") +
        (_ir.HeadersToExtAuth.Count > 0 ? $" headersToExtAuth=[{string.Join(",", _ir.HeadersToExtAuth)}]" : "") +
        (_route is { } r ? $" routeMetadata={r.Kind}/{r.Namespace}/{r.Name}{(r.SectionName is null ? "" : "/" + r.SectionName)}" : "");

    public override ValueTask<DecideOutcome> Start<TRequest>(in TRequest request, in RequestFacts facts)
    {
        HttpRequest? kestrel = null;
        if (typeof(TRequest) == typeof(HttpRequestView)) kestrel = Unsafe.As<TRequest, HttpRequestView>(ref Unsafe.AsRef(in request)).Request;
        var headers = new List<KeyValuePair<string, string>>();
        if (_ir.Protocol == ExtAuthProtocol.Grpc) request.CollectHeaders(headers);
        else
        {
            foreach (var name in _httpHeaders)
                if (request.TryGetHeader(name, out var values))
                    foreach (var v in values) headers.Add(new(name, v ?? ""));
        }
        var connection = kestrel?.HttpContext.Connection;
        var check = new ExtAuthRequest
        {
            Method = request.Method,
            RawTarget = request.RawTarget,
            Host = request.Host,
            Scheme = facts.Scheme,
            Protocol = request.Protocol,
            Headers = headers,
            Source = facts.Policy!.ClientAddress,
            SourcePort = facts.Policy.Detected is null ? connection?.RemotePort ?? facts.Client?.Port ?? 0 : 0,
            Destination = (connection is null ? facts.LocalAddress : connection.LocalIpAddress) is { } local ? ForwardedHeaders.Unmapped(local) : null,
            DestinationPort = facts.ListenerPort,
            Kestrel = kestrel,
            RouteMetadata = _routeMetadata,
        };
        return new ValueTask<DecideOutcome>(CheckAsync(check, facts.Policy));
    }

    private async Task<DecideOutcome> CheckAsync(ExtAuthRequest check, RequestPolicyState state)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(_ir.Timeout);
        ExtAuthAnswer answer;
        try
        {
            if (_ir.MaxRequestBytes is { } max)
            {
                if (check.Kestrel is not { } kestrel) answer = ExtAuthAnswer.Failed; // a byte transport never runs a body policy
                else
                {
                    var body = await ReadBodyAsync(kestrel, max, timeout.Token).ConfigureAwait(false);
                    if (body is null) return DecideOutcome.Answer(LocalReply.Empty(StatusCodes.Status413PayloadTooLarge));
                    check.Body = body;
                }
            }
            answer = _client is null ? ExtAuthAnswer.Failed : await _client.CheckAsync(check, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException or InvalidOperationException)
        {
            answer = ExtAuthAnswer.Failed;
            if (check.Kestrel?.Body is { CanSeek: true } partial) partial.Position = 0; // failing open forwards the whole body
        }
        _stats?.Record(answer.Result, Stopwatch.GetTimestamp() - started);
        switch (answer.Result)
        {
            case ExtAuthResult.Allow:
                if (answer.Edits is { } edits) Apply(edits, state);
                return DecideOutcome.Continue;
            case ExtAuthResult.Deny:
                return DecideOutcome.Answer(answer.Reply!);
            default:
                if (_ir.FailOpen) return DecideOutcome.Continue;
                return DecideOutcome.Answer(answer.Reply ?? LocalReply.Empty(_ir.StatusOnError));
        }
    }

    private void Apply(List<HeaderMutation> edits, RequestPolicyState state)
    {
        foreach (var e in edits)
        {
            var name = _names.TryGetValue(e.Name, out var known) ? known : new HeaderText(e.Name);
            switch (e.Kind)
            {
                case MutationKind.Set: state.SetRequestHeader(name, e.Value!); break;
                case MutationKind.Append: state.AppendRequestHeader(name, e.Value!); break;
                default: state.RemoveRequestHeader(name); break;
            }
        }
    }

    /// <summary>The body, buffered so it is still forwarded afterwards; null when it is over <paramref name="max"/> bytes.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int max, CancellationToken cancel)
    {
        if (request.ContentLength > max) return null;
        request.EnableBuffering();
        var buffer = new byte[Math.Min(max + 1, (int)Math.Min(request.ContentLength ?? 4096, max) + 1)];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (total > max) return null;
                Array.Resize(ref buffer, Math.Min(max + 1, buffer.Length * 2));
            }
            var n = await request.Body.ReadAsync(buffer.AsMemory(total), cancel).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        if (total > max) return null;
        request.Body.Position = 0;
        return total == buffer.Length ? buffer : buffer.AsSpan(0, total).ToArray();
    }
}
