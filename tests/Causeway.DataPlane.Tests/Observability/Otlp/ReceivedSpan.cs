using OpenTelemetry.Proto.Trace.V1;

namespace Causeway.DataPlane.Tests.Observability.Otlp;

/// <summary>One span as an OTLP receiver got it, with the resource it came under.</summary>
public sealed record ReceivedSpan(Span Span, string ServiceName)
{
    public string TraceId => Convert.ToHexStringLower(Span.TraceId.Span);
    public string SpanId => Convert.ToHexStringLower(Span.SpanId.Span);
    public string ParentSpanId => Convert.ToHexStringLower(Span.ParentSpanId.Span);

    public string? Attribute(string key) => Span.Attributes.FirstOrDefault(a => a.Key == key)?.Value is { } v
        ? v.ValueCase == OpenTelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.IntValue ? v.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : v.StringValue
        : null;
}
