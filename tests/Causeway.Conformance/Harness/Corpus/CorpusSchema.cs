using System.Text.Json.Nodes;

namespace Causeway.Conformance.Harness.Corpus;

/// <summary>
/// The <c>cases.yaml</c> format of SOURCE.md as a closed schema: every mapping key the harness understands, level by
/// level. A file that uses any other key (a new setup step, action, status form, request or response field) is
/// rejected with a <see cref="FormatException"/> naming each unknown key, so the test fails instead of running with
/// the unknown part silently ignored.
/// </summary>
public static class CorpusSchema
{
    /// <summary>A mapping with known keys; a key mapped to null holds a scalar, a list of scalars or free-form data.</summary>
    private sealed class Shape(params (string Key, Shape? Child)[] fields)
    {
        public IReadOnlyDictionary<string, Shape?> Fields { get; } = fields.ToDictionary(f => f.Key, f => f.Child, StringComparer.Ordinal);
    }

    private static (string, Shape?) F(string key, Shape? child = null) => (key, child);

    private static readonly Shape Gateway = new(F("namespace"), F("name"), F("listener"));
    private static readonly Shape Condition = new(F("type"), F("status"), F("reason"));
    private static readonly Shape Ref = new(F("group"), F("kind"), F("namespace"), F("name"));

    private static readonly Shape Status = new(
        F("kind"), F("namespace"), F("name"), F("readyNamespaces"),
        F("conditions", Condition), F("parent", Ref), F("ancestor", Ref), F("listener"),
        F("listenersStatus", new Shape(F("name"), F("attachedRoutes"), F("conditions", Condition), F("supportedKinds", new Shape(F("group"), F("kind"))))),
        F("parents", new Shape(F("parentRef", Ref), F("controllerName"), F("conditions", Condition))),
        F("namespaceRequired"), F("noAcceptedParents"), F("zeroAttachedRoutes"), F("attachedListenerSets"), F("addressAssigned"),
        F("statusAddresses", new Shape(F("count"), F("mustContain"), F("mustNotContain"))),
        F("latestObservedGeneration"), F("generationChanged"));

    private static readonly Shape Cert = new(F("secret"), F("configMap"));

    private static readonly Shape Request = new(
        F("scheme"), F("method"), F("host"), F("path"), F("headers"), F("port"), F("protocol"), F("sni"),
        F("caCert", Cert), F("clientCert", new Shape(F("secret"))), F("followRedirects"), F("backendSetResponseHeaders"),
        F("requestId"), F("origin"), F("service"), F("authority"), F("metadata"), F("exchange"), F("payload"),
        F("dns", new Shape(F("question"), F("type"))));

    private static readonly Shape Response = new(
        F("status"), F("headers"), F("headerOneOf"), F("ignoreWhitespace"), F("absentHeaders"), F("protocol"), F("failure"),
        F("connectionError"), F("connectionRejected"), F("code"), F("backendIsTLS"), F("backendSNI"), F("connected"),
        F("podNonEmpty"), F("service"), F("anyReply"), F("dnsAnswer"), F("echo"));

    private static readonly Shape BackendRequest = new(
        F("method"), F("path"), F("host"), F("headers"), F("absentHeaders"), F("sni"), F("clientCert", new Shape(F("secret"))),
        F("fullyQualifiedMethod"), F("podPrefixFromHeader"));

    private static readonly Shape Action = new(
        F("delete", new Shape(F("kind"), F("namespace"), F("name"))),
        F("patch", new Shape(F("kind"), F("namespace"), F("name"), F("note"), F("jsonPatch", new Shape(F("op"), F("path"), F("from"), F("value"))))),
        F("apply"), F("wait"), F("note"));

    private static readonly Shape CaseStep = new(
        F("subtest"), F("name"), F("note"), F("gateway", Gateway),
        F("request", Request), F("response", Response), F("backend"), F("namespace"), F("backendRequest", BackendRequest),
        F("notForwarded"), F("redirect", new Shape(F("scheme"), F("host"), F("port"), F("path"))),
        F("mirroredTo", new Shape(F("name"), F("namespace"), F("percent"))),
        F("mirrorDistribution", new Shape(F("requests"), F("concurrency"), F("toleranceStdDevs"), F("attempts"), F("rule"))),
        F("weights", new Shape(F("distribution"), F("requests"), F("concurrency"), F("tolerance"), F("attempts"), F("entropy"))),
        F("repeat"), F("backendMatch"), F("websocket", new Shape(F("messages", new Shape(F("text"), F("binary"))))),
        F("informationalHeaders"),
        F("expectStatus", Status), F("readyNamespaces"),
        F("action", Action));

    /// <summary>The setup steps the harness implements (TestRunner); anything else is an error.</summary>
    public static readonly IReadOnlySet<string> SetupSteps = new HashSet<string>(StringComparer.Ordinal) { "populateEndpointSlices" };

    private static readonly Shape Top = new(
        F("name"), F("description"), F("features"), F("upstream"), F("manifests"), F("provisional"),
        F("runOnlyIf", new Shape(F("supported"), F("unsupported"))), F("skip"), F("readyNamespaces"),
        F("needs", new Shape(F("certificates", new Shape(F("secret"), F("configMap"), F("type"), F("hosts"), F("issuer"), F("ca"))))),
        F("setup", new Shape(F("populateEndpointSlices", new Shape(F("name"), F("namespace"), F("rule"))))),
        F("gateway", Gateway), F("expectStatus", Status), F("cases", CaseStep), F("notes"));

    /// <summary>Every unknown key, as a path (<c>cases[3].action.restart</c>); empty when the document is fully understood.</summary>
    public static IReadOnlyList<string> UnknownKeys(JsonObject doc)
    {
        var problems = new List<string>();
        Walk(doc, Top, "", problems);
        return problems;
    }

    /// <summary>Throws when the document uses anything the harness does not implement.</summary>
    public static void Validate(JsonObject doc, string fileName)
    {
        var unknown = UnknownKeys(doc);
        if (unknown.Count > 0)
            throw new FormatException($"{fileName}: the harness does not implement {string.Join(", ", unknown)} (see SOURCE.md for the format)");
    }

    private static void Walk(JsonNode? node, Shape shape, string path, List<string> problems)
    {
        switch (node)
        {
            case JsonArray list:
                for (var i = 0; i < list.Count; i++) Walk(list[i], shape, $"{path}[{i}]", problems);
                break;
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    var at = path.Length == 0 ? key : $"{path}.{key}";
                    if (!shape.Fields.TryGetValue(key, out var child)) problems.Add(at);
                    else if (child is not null) Walk(value, child, at, problems);
                }
                break;
        }
    }
}
