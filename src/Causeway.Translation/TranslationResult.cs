using System.Collections.Immutable;
using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;
using Causeway.Translation.Status;

namespace Causeway.Translation;

/// <summary>The output of one translation: an IR per Gateway we serve, and the status of every object we decided.</summary>
public sealed record TranslationResult
{
    public EquatableArray<GatewayIr> Gateways { get; init; } = EquatableArray<GatewayIr>.Empty;

    /// <summary>Sorted by object key.</summary>
    public ImmutableArray<ObjectStatus> Statuses { get; init; } = [];

    /// <summary>Messages about references that did not resolve etc., each naming object and field (for logs).</summary>
    public ImmutableArray<string> Problems { get; init; } = [];

    /// <summary>
    /// The subset of <see cref="Problems"/> that are errors in the input: values the data plane cannot serve (an
    /// invalid regex, header name or value...), each naming object and field. The routes concerned are not accepted;
    /// <c>causeway validate</c> fails on them.
    /// </summary>
    public ImmutableArray<string> Errors { get; init; } = [];

    /// <summary>Per-Gateway ProxyConfig resolved from GatewayClass/Gateway parametersRef (Kubernetes infrastructure).</summary>
    public ImmutableDictionary<string, ProxyConfig> ProxyConfigs { get; init; } = ImmutableDictionary<string, ProxyConfig>.Empty;
}
