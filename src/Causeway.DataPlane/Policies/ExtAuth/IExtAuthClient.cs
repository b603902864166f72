namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>One way of asking an authorization service (HTTP or gRPC); never throws for the service's failures.</summary>
internal interface IExtAuthClient
{
    /// <summary>Asks about <paramref name="request"/>; <paramref name="cancel"/> fires at the policy's timeout.</summary>
    Task<ExtAuthAnswer> CheckAsync(ExtAuthRequest request, CancellationToken cancel);

    /// <summary>For the printed plan.</summary>
    string Describe();
}
