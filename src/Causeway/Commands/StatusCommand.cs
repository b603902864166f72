using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Causeway.Providers.Admin;

namespace Causeway.Cli.Commands;

/// <summary><c>causeway status</c>: asks a running gateway's admin API and prints a table like <c>kubectl get gateways</c>.</summary>
internal static class StatusCommand
{
    private static readonly string[] RouteKinds = ["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];

    public static Command Create(CliContext context)
    {
        var admin = new Option<string>("--admin")
        {
            Description = "Admin API of the running gateway",
            DefaultValueFactory = _ => "http://" + AdminServerOptions.DefaultAddress,
        };
        var all = new Option<bool>("--all", "-A") { Description = "All namespaces, routes with their parents' Accepted/ResolvedRefs, and policies with their ancestors" };
        var command = new Command("status", "Show the Gateways (and with -A the routes and policies) of a running gateway") { admin, all };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(admin)!, parse.GetValue(all), ct));
        return command;
    }

    internal static async Task<int> RunAsync(CliContext context, string admin, bool all, CancellationToken ct)
    {
        JsonNode? doc;
        try
        {
            using var client = context.HttpHandler is null ? new HttpClient() : new HttpClient(context.HttpHandler, disposeHandler: false);
            client.Timeout = TimeSpan.FromSeconds(10);
            doc = JsonNode.Parse(await client.GetStringAsync(new Uri(new Uri(admin.TrimEnd('/') + "/"), "status"), ct));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException or System.Text.Json.JsonException)
        {
            await context.Err.WriteLineAsync($"error: cannot read {admin}/status: {e.Message}");
            return 1;
        }
        var now = context.Time.GetUtcNow();
        var items = doc?["items"]?.AsArray().Where(i => i is not null).Select(i => i!).ToList() ?? [];
        var rows = new List<string[]>();
        foreach (var g in items.Where(i => (string?)i["kind"] == "Gateway"))
        {
            var row = new List<string>();
            if (all) row.Add(Str(g["metadata"]?["namespace"]));
            row.Add(Str(g["metadata"]?["name"]));
            row.Add(Str(g["spec"]?["gatewayClassName"]));
            row.Add(string.Join(",", g["status"]?["addresses"]?.AsArray().Select(a => Str(a?["value"])) ?? []));
            row.Add(Condition(g["status"]?["conditions"], "Programmed"));
            row.Add(Age(g, now));
            rows.Add([.. row]);
        }
        string[] header = all ? ["NAMESPACE", "NAME", "CLASS", "ADDRESS", "PROGRAMMED", "AGE"] : ["NAME", "CLASS", "ADDRESS", "PROGRAMMED", "AGE"];
        await WriteTable(context.Out, header, rows);

        if (all)
        {
            var routeRows = new List<string[]>();
            foreach (var r in items.Where(i => RouteKinds.Contains((string?)i["kind"])))
            {
                var parents = r["status"]?["parents"]?.AsArray() ?? [];
                if (parents.Count == 0)
                    routeRows.Add([Str(r["metadata"]?["namespace"]), Str(r["metadata"]?["name"]), Str(r["kind"]), "<none>", "Unknown", "Unknown", Age(r, now)]);
                foreach (var p in parents)
                {
                    var parent = p?["parentRef"];
                    var parentName = (parent?["namespace"] is { } ns ? Str(ns) + "/" : "") + Str(parent?["name"])
                        + (parent?["sectionName"] is { } section ? "/" + Str(section) : "");
                    routeRows.Add([Str(r["metadata"]?["namespace"]), Str(r["metadata"]?["name"]), Str(r["kind"]), parentName,
                        Condition(p?["conditions"], "Accepted"), Condition(p?["conditions"], "ResolvedRefs"), Age(r, now)]);
                }
            }
            await context.Out.WriteLineAsync();
            await WriteTable(context.Out, ["NAMESPACE", "NAME", "KIND", "PARENT", "ACCEPTED", "RESOLVEDREFS", "AGE"], routeRows);

            // Policies (Envoy Gateway's kinds and BackendTLSPolicy): one row per ancestor, like the routes' parents.
            var policyRows = new List<string[]>();
            foreach (var p in items.Where(i => i["status"]?["ancestors"] is not null))
            {
                var ancestors = p["status"]!["ancestors"]!.AsArray();
                if (ancestors.Count == 0)
                    policyRows.Add([Str(p["metadata"]?["namespace"]), Str(p["metadata"]?["name"]), Str(p["kind"]), "<none>", "Unknown", "", Age(p, now)]);
                foreach (var a in ancestors)
                {
                    var anc = a?["ancestorRef"];
                    var ancestorName = Str(anc?["kind"]) + " " + (anc?["namespace"] is { } ns ? Str(ns) + "/" : "") + Str(anc?["name"])
                        + (anc?["sectionName"] is { } section ? "/" + Str(section) : "");
                    var notes = string.Join(",", a?["conditions"]?.AsArray()
                        .Where(c => (string?)c?["type"] != "Accepted" && (string?)c?["status"] == "True")
                        .Select(c => Str(c?["type"])) ?? []);
                    var accepted = Condition(a?["conditions"], "Accepted");
                    if (accepted == "False" && a?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == "Accepted") is { } ac)
                        accepted += " (" + Str(ac["reason"]) + ")";
                    policyRows.Add([Str(p["metadata"]?["namespace"]), Str(p["metadata"]?["name"]), Str(p["kind"]), ancestorName, accepted, notes, Age(p, now)]);
                }
            }
            if (policyRows.Count > 0)
            {
                await context.Out.WriteLineAsync();
                await WriteTable(context.Out, ["NAMESPACE", "NAME", "KIND", "ANCESTOR", "ACCEPTED", "CONDITIONS", "AGE"], policyRows);
            }
        }
        foreach (var e in doc?["loadErrors"]?.AsArray() ?? [])
            await context.Err.WriteLineAsync("load error: " + Str(e));
        if (doc?["lastError"] is { } lastError)
            await context.Err.WriteLineAsync("last apply failed: " + Str(lastError));
        return 0;
    }

    private static string Str(JsonNode? node) => node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString() ?? "";

    private static string Condition(JsonNode? conditions, string type) =>
        conditions?.AsArray().FirstOrDefault(c => (string?)c?["type"] == type) is { } c ? Str(c["status"]) : "Unknown";

    private static string Age(JsonNode item, DateTimeOffset now)
    {
        if (item["metadata"]?["creationTimestamp"] is not { } ts
            || !DateTimeOffset.TryParse(Str(ts), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
            return "<unknown>";
        return FormatAge(now - created);
    }

    /// <summary>kubectl's short ages: 45s, 12m, 5h, 358d.</summary>
    internal static string FormatAge(TimeSpan age)
    {
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        if (age.TotalMinutes < 2) return $"{(int)age.TotalSeconds}s";
        if (age.TotalHours < 2) return $"{(int)age.TotalMinutes}m";
        if (age.TotalDays < 2) return $"{(int)age.TotalHours}h";
        return $"{(int)age.TotalDays}d";
    }

    private static async Task WriteTable(TextWriter writer, string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
            await writer.WriteLineAsync(string.Join("   ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))));
    }
}
