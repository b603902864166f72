using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// A Gateway's access logs from the <c>spec.telemetry.accessLog</c> of its EnvoyProxy. Absent (null on the Gateway):
/// the data plane's default log (<c>causeway run --access-log</c>). <see cref="Disabled"/>: nothing is logged. Otherwise
/// exactly the <see cref="Settings"/> (an EnvoyProxy with settings replaces the default log, as Envoy Gateway does).
/// </summary>
public sealed record AccessLogIr
{
    public bool Disabled { get; init; }
    public EquatableArray<AccessLogSettingIr> Settings { get; init; } = EquatableArray<AccessLogSettingIr>.Empty;
}

/// <summary>Which requests a setting logs.</summary>
public enum AccessLogScope
{
    /// <summary>No type: matched requests (routes) and requests no route matched (listeners).</summary>
    All,
    /// <summary><c>type: Route</c>: requests a route matched (and L4 connections a route took).</summary>
    Route,
    /// <summary><c>type: Listener</c>: requests no route matched.</summary>
    Listener,
}

public enum AccessLogFormatType { Text, Json }

/// <summary>One valid access log setting, its format already checked (the data plane compiles it once per apply).</summary>
public sealed record AccessLogSettingIr
{
    /// <summary>Where it comes from: <c>EnvoyProxy ns/name spec.telemetry.accessLog.settings[i]</c>.</summary>
    public required string Source { get; init; }
    public AccessLogScope Scope { get; init; }
    public AccessLogFormatType Format { get; init; } = AccessLogFormatType.Json;

    /// <summary>The text format (Text), Envoy's default line when the EnvoyProxy gives none.</summary>
    public string? Text { get; init; }

    /// <summary>The JSON fields (JSON), in the order written; Envoy Gateway's default fields when none are given.</summary>
    public EquatableArray<AccessLogFieldIr> Json { get; init; } = EquatableArray<AccessLogFieldIr>.Empty;

    /// <summary>CEL conditions; the request is logged when one of them holds (none: always).</summary>
    public EquatableArray<string> Matches { get; init; } = EquatableArray<string>.Empty;

    public EquatableArray<AccessLogSinkIr> Sinks { get; init; } = EquatableArray<AccessLogSinkIr>.Empty;
}

public sealed record AccessLogFieldIr(string Name, string Format);

public enum AccessLogSinkKind { File, OpenTelemetry }

public sealed record AccessLogSinkIr
{
    public AccessLogSinkKind Kind { get; init; }

    /// <summary>File: the path (<c>/dev/stdout</c>: the process's standard output).</summary>
    public string? Path { get; init; }

    /// <summary>OpenTelemetry: the collector's OTLP/gRPC address, e.g. <c>http://10.0.0.7:4317</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>OpenTelemetry: the resource attributes of every record, sorted by name.</summary>
    public EquatableArray<AccessLogFieldIr> Resources { get; init; } = EquatableArray<AccessLogFieldIr>.Empty;
}
