namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// One behaviour of a route, compiled once per apply into an immutable object that every transport allowed by
/// <see cref="Transports"/> calls. <see cref="Transports"/> is abstract on purpose: a new step does not compile until
/// its author says which transports can run it, so no transport can skip a step by omission.
/// </summary>
internal abstract class PipelineStep
{
    /// <summary>Where the step runs in the pipeline (see <see cref="StepOrder"/>).</summary>
    public abstract StepStage Stage { get; }

    /// <summary>The transports that implement this step; always including <see cref="Pipeline.TransportSet.Kestrel"/>.</summary>
    public abstract TransportSet Transports { get; }

    /// <summary>One line for the printed plan, e.g. <c>request-headers set x-a=1</c>.</summary>
    public abstract string Describe();

    /// <summary>Whether the step reads or writes the exchange's <see cref="RequestPolicyState"/> (client address, held slots, response headers).</summary>
    public virtual bool UsesPolicyState => false;
}

/// <summary>What a request-side step decided.</summary>
internal enum StepVerdict
{
    /// <summary>Go on to the next step.</summary>
    Continue,

    /// <summary>Answer with the <see cref="LocalReply"/> the step returned; nothing goes upstream.</summary>
    Reply,

    /// <summary>This transport cannot serve this request (e.g. a byte transport meets an escaped path): hand it on.</summary>
    NeedsFullPipeline,

    /// <summary>
    /// An <see cref="AsyncDecideStep"/> waits on another service: the transport awaits
    /// <see cref="RequestPolicyState.Pending"/> and calls <see cref="RoutePlan.Resume{TRequest}"/> with its outcome.
    /// </summary>
    Pending,
}

/// <summary>
/// A step that only decides (and may answer the request itself): CORS preflight, redirects, direct responses, and
/// later authentication, authorization and rate limits. It reads the request through a struct view, so the same code
/// serves Kestrel requests and raw HTTP/1.1 heads without boxing.
/// </summary>
internal abstract class DecideStep : PipelineStep
{
    public abstract StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
        where TRequest : struct, IRequestView;
}

/// <summary>A step that changes response headers (on backend answers and on the gateway's own replies alike).</summary>
internal abstract class ResponseStep : PipelineStep
{
    public override StepStage Stage => StepStage.Response;

    public abstract void Apply<TRequest, TEditor>(in TRequest request, ref TEditor response)
        where TRequest : struct, IRequestView
        where TEditor : struct, IHeaderEditor;
}

/// <summary>
/// What a transport knows about a request besides its head: the port's scheme and number, the path prefix its
/// route matched on (for ReplacePrefixMatch), and the exchange's <see cref="RequestPolicyState"/> (the client address,
/// and what policy steps leave for the response and the completion hook); null where no step needs it. The byte
/// transports add the client connection's endpoints (Kestrel's steps read them from the HttpContext): the peer, or the
/// source a PROXY header named, and the address the client connected to (null when only the bound address is known).
/// </summary>
internal readonly record struct RequestFacts(string Scheme, int ListenerPort, string? MatchedPrefix, RequestPolicyState? Policy = null,
    System.Net.IPEndPoint? Client = null, System.Net.IPAddress? LocalAddress = null);
