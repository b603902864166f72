using System.Text.Json.Nodes;
using Causeway.Kubernetes.Status;

namespace Causeway.Kubernetes.Tests.Status;

/// <summary>
/// Route status as the spec asks (GEP-1364 / HTTPRoute status.parents): an implementation owns the entries with its
/// controllerName, keeps every other controller's, and removes its own for parents the route no longer references.
/// </summary>
public sealed class StatusMergeTests
{
    private const string Ours = "gateway.causeway.dev/gatewayclass-controller";

    private static JsonObject Parent(string gateway, string controller, string condition = "True") => new()
    {
        ["parentRef"] = new JsonObject { ["name"] = gateway, ["namespace"] = "test" },
        ["controllerName"] = controller,
        ["conditions"] = new JsonArray(new JsonObject
        {
            ["type"] = "Accepted", ["status"] = condition, ["reason"] = "Accepted", ["lastTransitionTime"] = "2026-01-01T00:00:00Z",
        }),
    };

    [Fact]
    public void A_parent_no_longer_referenced_loses_our_entry_and_other_controllers_entries_stay()
    {
        var live = new JsonObject
        {
            ["parents"] = new JsonArray(Parent("a", Ours), Parent("removed", Ours), Parent("theirs", "example.com/other")),
        };
        var desired = new JsonObject { ["parents"] = new JsonArray(Parent("a", Ours)) };
        ((JsonObject)desired["parents"]![0]!["conditions"]![0]!)["lastTransitionTime"] = "2026-12-07T00:00:00Z";

        var merged = StatusMerge.Merge(desired, live, Ours);

        var names = merged["parents"]!.AsArray().Select(p => (string)p!["parentRef"]!["name"]!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "a", "theirs" }, names);
        // Unchanged condition: the transition time the object already shows is kept.
        var a = merged["parents"]!.AsArray().Single(p => (string)p!["parentRef"]!["name"]! == "a")!;
        Assert.Equal("2026-01-01T00:00:00Z", (string)a["conditions"]![0]!["lastTransitionTime"]!);
    }

    [Fact]
    public void A_route_with_no_parent_of_ours_left_keeps_only_the_other_controllers_entries()
    {
        var live = new JsonObject { ["parents"] = new JsonArray(Parent("gone", Ours), Parent("theirs", "example.com/other")) };
        var merged = StatusMerge.Merge(new JsonObject { ["parents"] = new JsonArray() }, live, Ours);
        var only = Assert.Single(merged["parents"]!.AsArray());
        Assert.Equal("example.com/other", (string)only!["controllerName"]!);
    }
}
