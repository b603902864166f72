namespace Causeway.DataPlane.Filters.Cors;

/// <summary>The CORS headers on actual responses from an allowed origin.</summary>
internal sealed class CorsResponseStep : ResponseStep
{
    private readonly CorsPolicy _policy;

    public CorsResponseStep(CorsPolicy policy) => _policy = policy;

    public override TransportSet Transports => TransportSet.All;

    public override void Apply<TRequest, TEditor>(in TRequest request, ref TEditor response) => _policy.ApplyToResponse(request, ref response);

    public override string Describe() => "cors-response-headers";
}
