using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;
using Microsoft.Extensions.Logging;

namespace Causeway.Kubernetes.Leader;

/// <summary>
/// Leader election with a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews every retry period; another
/// replica takes the Lease when it has not seen the record change for a lease duration (measured on its own clock, so
/// clock skew does not matter); a stopping leader releases the Lease so a follower takes over at once.
/// </summary>
internal sealed class LeaderElector(KubeApi api, ControllerOptions options, Action<bool> onChange, ILogger log)
{
    private volatile bool _leader;
    private string? _observedRecord;
    private long _observedAt;
    private long _lastRenew;

    public bool IsLeader => _leader;

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await TryAcquireOrRenewAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or OperationCanceledException or InvalidOperationException)
            {
                log.LogWarning("lease {Namespace}/{Name}: {Error}", options.LeaseNamespace, options.LeaseName, e.Message);
            }
            // A leader that could not renew for a lease duration must assume someone else took over.
            if (_leader && Environment.TickCount64 - _lastRenew > options.LeaseDuration.TotalMilliseconds) SetLeader(false);
            try { await Task.Delay(options.LeaseRetryPeriod, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = Now();
        var lease = await api.GetAsync(ResourceType.Leases, options.LeaseNamespace, options.LeaseName, ct).ConfigureAwait(false);
        if (lease is null)
        {
            var created = new JsonObject
            {
                ["apiVersion"] = "coordination.k8s.io/v1",
                ["kind"] = "Lease",
                ["metadata"] = new JsonObject { ["name"] = options.LeaseName, ["namespace"] = options.LeaseNamespace },
                ["spec"] = Spec(now, now, 0),
            };
            try
            {
                await api.CreateAsync(ResourceType.Leases, options.LeaseNamespace, created, ct).ConfigureAwait(false);
                Renewed();
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Conflict) { SetLeader(false); }
            return;
        }
        var spec = lease["spec"] as JsonObject ?? [];
        var holder = spec["holderIdentity"]?.GetValue<string>() ?? "";
        var record = $"{holder}|{spec["renewTime"]}|{spec["acquireTime"]}|{spec["leaseTransitions"]}";
        if (record != _observedRecord) { _observedRecord = record; _observedAt = Environment.TickCount64; }
        var durationMs = (spec["leaseDurationSeconds"]?.GetValue<int>() ?? (int)options.LeaseDuration.TotalSeconds) * 1000L;
        if (holder.Length > 0 && holder != options.Identity && Environment.TickCount64 - _observedAt < durationMs)
        {
            SetLeader(false);
            return;
        }
        var transitions = spec["leaseTransitions"]?.GetValue<int>() ?? 0;
        var acquire = holder == options.Identity ? spec["acquireTime"]?.GetValue<string>() ?? now : now;
        lease["spec"] = Spec(acquire, now, holder == options.Identity ? transitions : transitions + 1);
        try
        {
            await api.ReplaceAsync(ResourceType.Leases, options.LeaseNamespace, options.LeaseName, lease, ct).ConfigureAwait(false);
            if (holder != options.Identity) log.LogInformation("{Identity} acquired lease {Namespace}/{Name}", options.Identity, options.LeaseNamespace, options.LeaseName);
            Renewed();
        }
        catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Conflict) { SetLeader(false); }
    }

    /// <summary>Gives the Lease up if we hold it (on shutdown), so a follower does not wait for it to expire.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        if (!_leader) return;
        SetLeader(false);
        try
        {
            var lease = await api.GetAsync(ResourceType.Leases, options.LeaseNamespace, options.LeaseName, ct).ConfigureAwait(false);
            if (lease?["spec"] is not JsonObject spec || spec["holderIdentity"]?.GetValue<string>() != options.Identity) return;
            spec["holderIdentity"] = null;
            spec["leaseDurationSeconds"] = 1;
            spec["renewTime"] = Now();
            await api.ReplaceAsync(ResourceType.Leases, options.LeaseNamespace, options.LeaseName, lease, ct).ConfigureAwait(false);
            log.LogInformation("{Identity} released lease {Namespace}/{Name}", options.Identity, options.LeaseNamespace, options.LeaseName);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            log.LogWarning("releasing lease failed: {Error}", e.Message);
        }
    }

    private JsonObject Spec(string acquire, string renew, int transitions) => new()
    {
        ["holderIdentity"] = options.Identity,
        ["leaseDurationSeconds"] = Math.Max(1, (int)options.LeaseDuration.TotalSeconds),
        ["acquireTime"] = acquire,
        ["renewTime"] = renew,
        ["leaseTransitions"] = transitions,
    };

    private void Renewed()
    {
        _lastRenew = Environment.TickCount64;
        SetLeader(true);
    }

    private void SetLeader(bool value)
    {
        if (_leader == value) return;
        _leader = value;
        log.LogInformation("{Identity} is {Role}", options.Identity, value ? "the leader" : "a follower");
        onChange(value);
    }

    /// <summary>MicroTime as Kubernetes writes it.</summary>
    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
