using System.Text.RegularExpressions;
using Causeway.Conformance.Harness.Assertions;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Requests;

namespace Causeway.Conformance.Harness.Runner;

/// <summary>Runs one request case with upstream's convergence rule, weights, repeats and mirror checks.</summary>
public sealed class CaseExecutor(ConformanceSession session, DateTimeOffset testStart, Action<string> log)
{
    public const int RequiredConsecutiveSuccesses = 3;
    private static readonly TimeSpan FailurePause = TimeSpan.FromMilliseconds(100);

    /// <summary>One attempt: a fresh {uuid}, the request sent, the observation checked. Returns (error, path sent).</summary>
    public async Task<(string? Error, string Path, Observation? Observation)> AttemptAsync(CaseSpec c, GatewayRef? gw, string? requestId,
        IReadOnlyList<KeyValuePair<string, string>> extraHeaders, CancellationToken ct)
    {
        var uuid = Guid.NewGuid().ToString();
        var path = c.Request.Path.Replace("{uuid}", uuid, StringComparison.Ordinal);
        var expectedPath = c.BackendRequest?.Path?.Replace("{uuid}", uuid, StringComparison.Ordinal);
        if (requestId is not null)
        {
            path = AppendQuery(path, $"gateway-api-conformance-request-id={requestId}");
            if (expectedPath is not null) expectedPath = AppendQuery(expectedPath, $"gateway-api-conformance-request-id={requestId}");
        }
        var (target, error) = TargetResolver.Resolve(session, gw, c.Request);
        if (target is null) return (error, path, null);
        var request = c.Request with { Path = path, Headers = [.. c.Request.Headers, .. extraHeaders.Where(_ => c.Request.Scheme != "grpc")] };
        var observation = c.Request.Scheme switch
        {
            "grpc" => await GrpcExecutor.CallAsync(request, target, extraHeaders, ct),
            "tcp" or "tls" => await StreamExecutor.ExchangeAsync(request, target, session, ct),
            "udp" => await DatagramExecutor.ExchangeAsync(request, target, ct),
            "ws" => await WebSocketExecutor.EchoAsync(request, c.WebSocketMessages, target, ct),
            _ => await HttpExecutor.SendAsync(request, path, target, session, ct),
        };
        string? clientCertPem = null;
        if (c.BackendRequest?.ClientCertSecret is { } s)
        {
            var (ns, name) = Node.NsName(s);
            clientCertPem = session.Secret(ns, name)?.GetValueOrDefault("tls.crt");
        }
        var failure = CaseAssertions.Check(c, observation, new ExpectedRequest(expectedPath, clientCertPem));
        return (failure, path, observation);
    }

    public static string AppendQuery(string path, string pair) => path + (path.Contains('?') ? "&" : "?") + pair;

    public async Task<string?> RunAsync(CaseSpec c, GatewayRef? gw, CancellationToken ct)
    {
        if (c.Weights is { } weights) return await WeightsAsync(c, gw, weights, ct);
        if (c.Repeat is { } repeat) return await RepeatAsync(c, gw, repeat, ct);
        if (c.MirrorDistribution is { } md)
        {
            var baseline = await ConvergeAsync(c, gw, null, ct);
            return baseline.Error ?? await MirrorDistributionAsync(c, gw, md, ct);
        }
        var requestId = c.Request.RequestId ? Guid.NewGuid().ToString() : null;
        var (err, path) = await ConvergeAsync(c, gw, requestId, ct);
        if (err is not null) return err;
        foreach (var m in c.MirroredTo)
            if (await MirroredAsync(m, path, ct) is { } mirrorError) return mirrorError;
        return null;
    }

    /// <summary>3 consecutive successes within the convergence timeout.</summary>
    public async Task<(string? Error, string Path)> ConvergeAsync(CaseSpec c, GatewayRef? gw, string? requestId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + session.Options.ConvergenceTimeout;
        var successes = 0;
        string? last = null;
        var path = c.Request.Path;
        var attempts = 0;
        while (true)
        {
            attempts++;
            var (error, sent, _) = await AttemptAsync(c, gw, requestId, [], ct);
            path = sent;
            if (error is null)
            {
                if (++successes >= RequiredConsecutiveSuccesses) return (null, path);
                continue;
            }
            if (error != last) log($"  not yet: {error}");
            successes = 0;
            last = error;
            if (DateTime.UtcNow >= deadline)
                return ($"did not converge within {session.Options.ConvergenceTimeout.TotalSeconds:0}s ({attempts} attempts): {error}", path);
            await Task.Delay(FailurePause, ct);
        }
    }

    private async Task<string?> MirroredAsync(MirrorTarget m, string path, CancellationToken ct)
    {
        var line = $"Echoing back request made to {path} to client";
        var pattern = new Regex(Regex.Escape(line));
        var found = await Waits.UntilAsync(
            () => session.Logs.Of(m.Namespace, m.Name, testStart).Any(l => pattern.IsMatch(l.Text)) ? null : $"{m.Namespace}/{m.Name} never logged '{line}'",
            HttpExecutor.RequestTimeout, ct);
        return found;
    }

    private async Task<string?> WeightsAsync(CaseSpec c, GatewayRef? gw, WeightsSpec w, CancellationToken ct)
    {
        string? last = null;
        for (var attempt = 1; attempt <= w.Attempts; attempt++)
        {
            var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            string? requestError = null;
            using var gate = new SemaphoreSlim(Math.Max(1, w.Concurrency));
            var tasks = Enumerable.Range(0, w.Requests).Select(async _ =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    var extra = w.Entropy is not null && Random.Shared.Next(2) == 0
                        ? new[] { KeyValuePair.Create(c.Request.Scheme == "grpc" ? "x-jitter" : "X-Jitter", Guid.NewGuid().ToString("N")[..8]) }
                        : [];
                    var (error, _, o) = await AttemptAsync(c with { Backend = null }, gw, null, extra, ct);
                    if (error is not null) { requestError ??= error; return; }
                    var pod = o?.Echo?.Pod ?? "";
                    counts.AddOrUpdate(EchoResponse.DeploymentOf(pod), 1, (_, n) => n + 1);
                }
                finally { gate.Release(); }
            });
            await Task.WhenAll(tasks);
            last = requestError is not null ? $"attempt {attempt}: a request failed: {requestError}" : CheckDistribution(w, counts);
            if (last is null) return null;
            log($"  weights attempt {attempt}: {last}");
        }
        return last;
    }

    public static string? CheckDistribution(WeightsSpec w, IReadOnlyDictionary<string, int> counts)
    {
        var total = counts.Values.Sum();
        if (total == 0) return "no answers";
        var expected = w.Distribution.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var backend in counts.Keys)
            if (!expected.ContainsKey(backend)) return $"unexpected backend {backend} ({counts[backend]} answers)";
        foreach (var (backend, weight) in expected)
        {
            var n = counts.GetValueOrDefault(backend);
            if (weight == 0 && n > 0) return $"backend {backend} has weight 0 but answered {n} requests";
            if (weight > 0 && n == 0) return $"backend {backend} (weight {weight}) was never hit";
        }
        foreach (var (backend, weight) in expected)
        {
            var n = counts.GetValueOrDefault(backend);
            var share = (double)n / total;
            if (Math.Abs(share - weight) > w.Tolerance)
                return $"backend {backend}: share {share:0.000}, expected {weight} +/- {w.Tolerance} (counts: {string.Join(", ", counts.Select(kv => $"{kv.Key}={kv.Value}"))})";
        }
        return null;
    }

    private async Task<string?> RepeatAsync(CaseSpec c, GatewayRef? gw, int repeat, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + session.Options.ConvergenceTimeout;
        string? last = null;
        while (true)
        {
            var transient = false;
            for (var i = 0; i < repeat && !transient; i++)
            {
                var (error, _, o) = await AttemptAsync(c, gw, null, [], ct);
                if (error is null) continue;
                if (o is { TransportError: null, Echo: not null }) return $"request {i + 1}/{repeat}: {error}";
                transient = true;
                last = error;
            }
            if (!transient) return null;
            if (DateTime.UtcNow >= deadline) return $"repeat never completed: {last}";
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    private async Task<string?> MirrorDistributionAsync(CaseSpec c, GatewayRef? gw, MirrorDistributionSpec md, CancellationToken ct)
    {
        string? last = null;
        for (var attempt = 1; attempt <= md.Attempts; attempt++)
        {
            var requestId = Guid.NewGuid().ToString();
            var since = DateTimeOffset.UtcNow;
            string? requestError = null;
            string? path = null;
            using var gate = new SemaphoreSlim(Math.Max(1, md.Concurrency));
            await Task.WhenAll(Enumerable.Range(0, md.Requests).Select(async _ =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    var (error, sent, _) = await AttemptAsync(c, gw, requestId, [], ct);
                    path ??= sent;
                    if (error is not null) requestError ??= error;
                }
                finally { gate.Release(); }
            }));
            if (requestError is not null) { last = $"attempt {attempt}: {requestError}"; continue; }
            var line = $"Echoing back request made to {path} to client";
            string? Distribution()
            {
                foreach (var m in c.MirroredTo)
                {
                    var p = (m.Percent ?? 100) / 100.0;
                    var n = session.Logs.Of(m.Namespace, m.Name, since).Count(l => l.Text.Contains(line, StringComparison.Ordinal));
                    var mean = md.Requests * p;
                    var tolerance = md.ToleranceStdDevs * Math.Sqrt(md.Requests * p * (1 - p));
                    if (Math.Abs(n - mean) > tolerance)
                        return $"attempt {attempt}: {m.Name} got {n} mirrored requests, expected {mean:0} +/- {tolerance:0.0}";
                }
                return null;
            }
            // Mirrored requests may still be in flight: poll (bounded) instead of sleeping.
            last = await Waits.UntilAsync(Distribution, HttpExecutor.RequestTimeout, ct);
            if (last is null) return null;
            log("  " + last);
        }
        return last;
    }
}
