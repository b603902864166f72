using System.Globalization;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Policies.Bandwidth;

/// <summary>
/// BackendTrafficPolicy <c>bandwidthLimit</c>: the rule's request bodies go to the backend, and its response bodies to
/// the client, no faster than the limit, through one <see cref="BandwidthBucket"/> per direction shared by the rule's
/// exchanges. Kestrel only: it paces body streams, which the byte transports relay untouched (they hand such rules on).
/// </summary>
internal sealed class BandwidthLimitStep(BandwidthLimitIr ir, BandwidthBucket? request, BandwidthBucket? response) : PipelineStep
{
    public override StepStage Stage => StepStage.Upstream;

    public override TransportSet Transports => TransportSet.Kestrel;

    /// <summary>Called before the exchange goes upstream: the request body (when limited) is read through the request bucket and the response body written through the response bucket.</summary>
    public void Wrap(HttpContext context)
    {
        if (request is not null && context.Request.Body is not PacedReadStream) context.Request.Body = new PacedReadStream(context.Request.Body, request);
        if (response is not null && context.Response.Body is not PacedWriteStream) context.Response.Body = new PacedWriteStream(context.Response.Body, response);
    }

    public override string Describe() =>
        "bandwidth-limit" + (ir.Request is { } q ? " request=" + Rate(q) : "") + (ir.Response is { } s ? " response=" + Rate(s) : "");

    private static string Rate(BandwidthRateIr r) =>
        r.Bytes.ToString(CultureInfo.InvariantCulture) + "B/" + (r.UnitSeconds switch { 1 => "s", 60 => "min", _ => "h" });
}
