namespace Causeway.DataPlane.Tests.Differential;

/// <summary>The differential tests' collection: one <see cref="DiffGateways"/>, cases run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DiffCollection : ICollectionFixture<DiffGateways>
{
    public const string Name = "differential";
}
