using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation;

using Causeway.Translation.Output;

namespace Causeway.Providers.Output;

/// <summary>
/// Builds what <c>/status</c> and <c>causeway translate --output status</c> show: every object the translator gave a
/// status, as <c>kubectl get -o json</c> would show it (apiVersion, kind, metadata, status). Only metadata and a few
/// spec fields needed by <c>causeway status</c> are copied from the input, so Secret data can never appear.
/// </summary>
public static class StatusDocuments
{
    public static JsonArray Build(ResourceSnapshot snapshot, TranslationResult result, IReadOnlyDictionary<ObjectKey, DateTimeOffset>? firstSeen = null)
    {
        var items = new JsonArray();
        foreach (var status in result.Statuses.OrderBy(s => s.Key))
        {
            var obj = snapshot.Get<KubeObject>(status.Key.Kind, status.Key.Namespace, status.Key.Name);
            var metadata = new JsonObject { ["name"] = status.Key.Name };
            if (status.Key.Namespace.Length > 0) metadata["namespace"] = status.Key.Namespace;
            metadata["generation"] = status.Generation;
            var created = obj?.Metadata.CreationTimestamp
                ?? (firstSeen is not null && firstSeen.TryGetValue(status.Key, out var seen) ? seen : (DateTimeOffset?)null);
            if (created is { } c) metadata["creationTimestamp"] = JsonSerializer.SerializeToNode(c, OutputJson.Options);
            var item = new JsonObject
            {
                ["apiVersion"] = obj?.ApiVersion ?? "",
                ["kind"] = status.Key.Kind,
                ["metadata"] = metadata,
            };
            if (obj is Gateway gateway)
                item["spec"] = new JsonObject { ["gatewayClassName"] = gateway.Spec.GatewayClassName };
            else if (obj is GatewayClass gatewayClass)
                item["spec"] = new JsonObject { ["controllerName"] = gatewayClass.Spec.ControllerName };
            item["status"] = JsonSerializer.SerializeToNode(status.Status, status.Status.GetType(), OutputJson.Options);
            items.Add(item);
        }
        return items;
    }

    /// <summary>The IR of every Gateway, as <c>/config_dump</c> and <c>causeway translate --output ir</c> show it.</summary>
    public static JsonNode BuildConfigDump(TranslationResult result) =>
        JsonSerializer.SerializeToNode(result.Gateways.AsImmutableArray(), OutputJson.Options)!;
}
