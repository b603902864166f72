using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;
using Microsoft.Extensions.Logging;

namespace Causeway.Kubernetes.Informers;

/// <summary>
/// Keeps a local copy of one resource (cluster-wide or in one namespace): list, then watch from the list's resourceVersion;
/// bookmarks move the resume point; 410 Gone relists and synthesises deletes for objects that vanished meanwhile; other
/// failures reconnect with exponential backoff; a watchdog restarts a watch that has been silent too long.
/// </summary>
internal sealed class Informer(KubeApi api, ResourceType type, string? ns, ControllerOptions options, Action onChange, ILogger log)
{
    private readonly ConcurrentDictionary<(string Ns, string Name), JsonObject> _items = new();
    private volatile bool _synced;

    public ResourceType Type => type;
    public string? Namespace => ns;
    public bool Synced => _synced;
    public int Lists { get; private set; }
    public int WatchesStarted { get; private set; }

    public IEnumerable<JsonObject> Items => _items.Values;

    public JsonObject? Get(string objNs, string name) => _items.TryGetValue((type.Namespaced ? objNs : "", name), out var o) ? o : null;

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = options.BackoffInitial;
        while (!ct.IsCancellationRequested)
        {
            string rv;
            try
            {
                rv = await ListAsync(ct).ConfigureAwait(false);
                backoff = options.BackoffInitial;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // The kind is not installed (an optional CRD): behave as empty and look again later.
                if (!_items.IsEmpty) { _items.Clear(); onChange(); }
                _synced = true;
                log.LogDebug("{Resource} is not served by the API server; retrying in {Delay}", type, options.AbsentKindRetry);
                await Delay(options.AbsentKindRetry, ct).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or KubeApiException or JsonException or OperationCanceledException)
            {
                log.LogWarning("list {Resource} failed: {Error}; retrying in {Delay}", type, e.Message, backoff);
                await Delay(backoff, ct).ConfigureAwait(false);
                backoff = Next(backoff);
                continue;
            }

            // Watch until the server says our version is too old (410), then relist.
            while (!ct.IsCancellationRequested)
            {
                var (next, outcome) = await WatchOnceAsync(rv, ct).ConfigureAwait(false);
                rv = next;
                if (outcome == WatchOutcome.Gone) { log.LogInformation("watch {Resource}: resourceVersion {Rv} is gone; relisting", type, rv); break; }
                if (outcome == WatchOutcome.Failed)
                {
                    await Delay(backoff, ct).ConfigureAwait(false);
                    backoff = Next(backoff);
                }
                else backoff = options.BackoffInitial;
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken ct)
    {
        var list = await api.ListAsync(type, ns, ct).ConfigureAwait(false);
        Lists++;
        var rv = list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "0";
        var fresh = new Dictionary<(string, string), JsonObject>();
        foreach (var item in list["items"] as JsonArray ?? [])
            if (item is JsonObject o) { Stamp(o); fresh[KeyOf(o)] = o; }
        var changed = false;
        foreach (var key in _items.Keys)
            if (!fresh.ContainsKey(key)) changed |= _items.TryRemove(key, out _); // synthesised delete
        foreach (var (key, o) in fresh)
        {
            if (_items.TryGetValue(key, out var old) && Rv(old) == Rv(o)) continue;
            _items[key] = o;
            changed = true;
        }
        _synced = true;
        if (changed) onChange();
        return rv;
    }

    private enum WatchOutcome { Ended, Gone, Failed }

    private async Task<(string Rv, WatchOutcome Outcome)> WatchOnceAsync(string rv, CancellationToken ct)
    {
        using var watchCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var lastActivity = Environment.TickCount64;
        var watchdog = Task.Run(async () =>
        {
            var period = TimeSpan.FromMilliseconds(Math.Max(50, options.WatchSilenceTimeout.TotalMilliseconds / 4));
            try
            {
                while (!watchCts.IsCancellationRequested)
                {
                    await Task.Delay(period, watchCts.Token).ConfigureAwait(false);
                    if (Environment.TickCount64 - Interlocked.Read(ref lastActivity) > options.WatchSilenceTimeout.TotalMilliseconds)
                    {
                        log.LogInformation("watch {Resource} silent for {Timeout}; restarting it", type, options.WatchSilenceTimeout);
                        await watchCts.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
            }
            catch (OperationCanceledException) { }
        }, CancellationToken.None);
        try
        {
            WatchesStarted++;
            await foreach (var ev in api.WatchAsync(type, ns, rv, options.WatchServerTimeout, watchCts.Token).ConfigureAwait(false))
            {
                Interlocked.Exchange(ref lastActivity, Environment.TickCount64);
                if (ev.ResourceVersion is { Length: > 0 } evRv) rv = evRv;
                if (Apply(ev)) onChange();
            }
            return (rv, WatchOutcome.Ended);
        }
        catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Gone) { return (rv, WatchOutcome.Gone); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return (rv, WatchOutcome.Ended); } // watchdog
        catch (OperationCanceledException) { return (rv, WatchOutcome.Ended); }
        catch (Exception e) when (e is HttpRequestException or IOException or KubeApiException or JsonException or InvalidOperationException)
        {
            log.LogWarning("watch {Resource} failed: {Error}", type, e.Message);
            return (rv, WatchOutcome.Failed);
        }
        finally
        {
            await watchCts.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
        }
    }

    /// <summary>Applies one event to the cache; true when the cache changed.</summary>
    private bool Apply(WatchEvent ev)
    {
        if (ev.Type is not ("ADDED" or "MODIFIED" or "DELETED")) return false; // BOOKMARK: only the resume point moves
        var o = ev.Object;
        Stamp(o);
        var key = KeyOf(o);
        if (ev.Type == "DELETED")
        {
            if (_items.TryGetValue(key, out var cur) && IsNewer(cur, o)) return false; // a stale delete for an object recreated since
            return _items.TryRemove(key, out _);
        }
        if (_items.TryGetValue(key, out var existing) && (Rv(existing) == Rv(o) || IsNewer(existing, o))) return false; // duplicate or stale
        _items[key] = o;
        return true;
    }

    /// <summary>True when <paramref name="a"/> is a later version of the same object than <paramref name="b"/> (numeric resourceVersions).</summary>
    private static bool IsNewer(JsonObject a, JsonObject b) =>
        long.TryParse(Rv(a), out var x) && long.TryParse(Rv(b), out var y) && x > y;

    private void Stamp(JsonObject o)
    {
        o["apiVersion"] ??= type.ApiVersion;
        o["kind"] ??= type.Kind;
    }

    private (string, string) KeyOf(JsonObject o)
    {
        var m = o["metadata"];
        return (type.Namespaced ? m?["namespace"]?.GetValue<string>() ?? "" : "", m?["name"]?.GetValue<string>() ?? "");
    }

    internal static string? Rv(JsonObject o) => o["metadata"]?["resourceVersion"]?.GetValue<string>();

    private TimeSpan Next(TimeSpan b) => TimeSpan.FromTicks(Math.Min(options.BackoffMax.Ticks, b.Ticks * 2));

    private static async Task Delay(TimeSpan d, CancellationToken ct)
    {
        try { await Task.Delay(d, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }
}
