namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>credentialInjection.credential</c>: the Secret holding the value (key <c>credential</c>).</summary>
public sealed record InjectedCredentialSpec
{
    public SecretObjectReference? ValueRef { get; init; }
}
