namespace Causeway.DataPlane.Filters;

/// <summary>RequestHeaderModifier (rule or backendRef level) as a step of the request.</summary>
internal sealed class RequestHeadersStep : PipelineStep
{
    public RequestHeadersStep(HeaderEdits edits, string level)
    {
        Edits = edits;
        Level = level;
        Transports = edits.FitsHttp1() ? TransportSet.All : TransportSet.Kestrel;
    }

    public HeaderEdits Edits { get; }
    public string Level { get; }

    public override StepStage Stage => StepStage.RouteFilters;

    /// <summary>All transports, unless an edit names a header the byte transports manage themselves (Host, framing...).</summary>
    public override TransportSet Transports { get; }

    public override string Describe() => $"request-headers ({Level}) {Edits.Describe()}";
}

/// <summary>ResponseHeaderModifier (rule or backendRef level), on backend answers and the gateway's own replies.</summary>
internal sealed class ResponseHeadersStep : ResponseStep
{
    public ResponseHeadersStep(HeaderEdits edits, string level)
    {
        Edits = edits;
        Level = level;
        Transports = edits.FitsHttp1() ? TransportSet.All : TransportSet.Kestrel;
    }

    public HeaderEdits Edits { get; }
    public string Level { get; }

    public override TransportSet Transports { get; }

    public override void Apply<TRequest, TEditor>(in TRequest request, ref TEditor response) => Edits.Apply(ref response);

    public override string Describe() => $"response-headers ({Level}) {Edits.Describe()}";
}
