namespace Causeway.DataPlane.Tests.Support;

/// <summary>
/// The fixture of the HTTPS listener tests: two echo backends ("a" and "b") and, from one test CA, a server certificate
/// for a.example.com and one for b.example.com. Started before and stopped after each test.
/// </summary>
public abstract class TwoHostTlsTest(string caName) : IAsyncLifetime
{
    protected TestCert Ca { get; } = TestCerts.CreateCa(caName);
    protected EchoBackend EchoA { get; private set; } = null!;
    protected EchoBackend EchoB { get; private set; } = null!;
    protected TestCert CertA { get; private set; } = null!;
    protected TestCert CertB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        EchoA = await EchoBackend.StartAsync("a");
        EchoB = await EchoBackend.StartAsync("b");
        CertA = TestCerts.CreateLeaf(Ca, "a.example.com", "a.example.com");
        CertB = TestCerts.CreateLeaf(Ca, "b.example.com", "b.example.com");
    }

    public async Task DisposeAsync()
    {
        await EchoA.DisposeAsync();
        await EchoB.DisposeAsync();
    }
}
