using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;
using Causeway.Kubernetes.Informers;
using Causeway.Translation;
using Causeway.Translation.Output;
using Microsoft.Extensions.Logging;

namespace Causeway.Kubernetes.Status;

/// <summary>
/// Writes the status the translator decided to the status subresource of each object, only when it differs from what the
/// object shows; a 409 (someone wrote in between) is retried on a fresh read. Route parents and policy ancestors of other
/// controllers are kept.
/// </summary>
internal sealed class StatusWriter(KubeApi api, Func<string, string, Informer?> informerFor, string controllerName, ILogger log,
    Causeway.Telemetry.ControlPlaneMetrics? metrics = null)
{
    private const int MaxAttempts = 5;

    public int Writes { get; private set; }

    public async Task WriteAsync(TranslationResult result, Func<bool> stillLeader, CancellationToken ct)
    {
        foreach (var st in result.Statuses)
        {
            if (!stillLeader()) return;
            var informer = informerFor(st.Key.Kind, st.Key.Namespace);
            if (informer is null) continue;
            var live = informer.Get(st.Key.Namespace, st.Key.Name);
            if (live is null) continue; // deleted meanwhile
            var desired = JsonSerializer.SerializeToNode(st.Status, st.Status.GetType(), ResultWriter.Json) as JsonObject ?? [];
            try
            {
                await WriteOneAsync(informer.Type, st.Key.Namespace, st.Key.Name, live, desired, ct).ConfigureAwait(false);
            }
            catch (KubeApiException e)
            {
                log.LogWarning("writing status of {Object} failed: {Error}", st.Key, e.Message);
                metrics?.StatusWritten(false);
                throw;
            }
        }
    }

    private async Task WriteOneAsync(ResourceType type, string ns, string name, JsonObject live, JsonObject desired, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var liveStatus = live["status"] as JsonObject;
            var merged = StatusMerge.Merge(desired, liveStatus, controllerName);
            if (StatusMerge.SameJson(merged, liveStatus ?? [])) return;
            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject { ["resourceVersion"] = Informer.Rv(live) },
                ["status"] = StatusMerge.ReplacementPatch(merged, liveStatus),
            };
            try
            {
                await api.PatchAsync(type, type.Namespaced ? ns : null, name, patch, KubeApi.MergePatch, ct, status: true).ConfigureAwait(false);
                Writes++;
                metrics?.StatusWritten(true);
                log.LogDebug("wrote status of {Kind} {Namespace}/{Name}", type.Kind, ns, name);
                return;
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Conflict && attempt < MaxAttempts)
            {
                var fresh = await api.GetAsync(type, type.Namespaced ? ns : null, name, ct).ConfigureAwait(false);
                if (fresh is null) return;
                live = fresh;
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.NotFound) { return; }
        }
    }
}
