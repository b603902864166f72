using System.Collections.Immutable;
using Causeway.Model.Snapshot;
using Causeway.Translation;

namespace Causeway.Providers.Runtime;

public sealed record StandaloneRuntimeOptions
{
    /// <summary>GatewayClass controllerNames served. By default ours and Envoy Gateway's, so its manifests work as written.</summary>
    public ImmutableArray<string> ControllerNames { get; init; } =
        [TranslatorOptions.DefaultControllerName, TranslatorOptions.EnvoyGatewayControllerName];

    /// <summary>A CIDR (e.g. <c>127.10.0.0/16</c>) from which every Gateway gets a stable address; null binds the default address.</summary>
    public string? AddressPool { get; init; }

    /// <summary>Where reloads, translation time and the served generation are counted (null: not recorded).</summary>
    public Causeway.Telemetry.ControlPlaneMetrics? Metrics { get; init; }

    /// <summary>When to run an aggressive collection after a large configuration change (off by default).</summary>
    public MemoryReclaimOptions MemoryReclaim { get; init; } = new();

    /// <summary>The collection <see cref="MemoryReclaimer"/> runs; tests replace it. Null: an aggressive, compacting full GC.</summary>
    public Action? Collect { get; init; }

    /// <summary>Whether the data plane counts global rate limits in Redis (<see cref="TranslatorOptions.GlobalRateLimitBackend"/>).</summary>
    public bool? GlobalRateLimitBackend { get; init; }

    /// <summary>The translation function; tests replace it. Defaults to <see cref="Translator.Translate"/>.</summary>
    public Func<ResourceSnapshot, TranslatorOptions, TranslationResult> Translate { get; init; } = Translator.Translate;
}
