using System.Text.Json.Nodes;
using Causeway.Model.Schema;
using static Causeway.Model.Tests.Schema.SchemaTestHelpers;

namespace Causeway.Model.Tests.Schema;

public class GatewayValidationTests
{
    private static JsonObject Gateway(string listeners, string extraSpec = "") => Yaml($$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: gw
          namespace: default
        spec:
          gatewayClassName: causeway
          {{extraSpec}}
          listeners:
        {{listeners}}
        """);

    [Fact]
    public void ValidGatewayGetsListenerDefaults()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
              - name: https
                port: 443
                protocol: HTTPS
                hostname: "*.example.com"
                tls:
                  certificateRefs:
                  - name: cert
            """);
        AssertValid(obj);
        var listeners = obj["spec"]!["listeners"]!;
        Assert.Equal("""{"namespaces":{"from":"Same"}}""", listeners[0]!["allowedRoutes"]!.ToJsonString());
        Assert.Equal("Terminate", listeners[1]!["tls"]!["mode"]!.GetValue<string>());
        var certRef = listeners[1]!["tls"]!["certificateRefs"]![0]!;
        Assert.Equal("", certRef["group"]!.GetValue<string>());
        Assert.Equal("Secret", certRef["kind"]!.GetValue<string>());
    }

    [Fact]
    public void AbsentStatusGetsCrdStatusDefault()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
            """);
        AssertValid(obj);
        Assert.Equal("Waiting for controller", obj["status"]!["conditions"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public void DuplicateListenerNameIsRejectedByCel()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
              - name: http
                port: 8080
                protocol: HTTP
            """);
        var errors = Validate(obj);
        Assert.Contains(errors, e => e.Path == "spec.listeners" && e.Message == "Invalid value: \"array\": Listener name must be unique within the Gateway");
    }

    [Fact]
    public void DuplicateListenerNameIsAlsoAListMapDuplicate()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
              - name: http
                port: 8080
                protocol: HTTP
            """);
        var errors = Validate(obj);
        Assert.Contains(errors, e => e.Path == "spec.listeners[1]" && e.Message == "Duplicate value: {\"name\":\"http\"}");
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void BadProtocolEnumPassesSinceProtocolIsAPattern()
    {
        // Listener protocol is an open set validated by a pattern, not an enum.
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: "not valid"
            """);
        AssertSingleError(obj, "spec.listeners[0].protocol", "should match");
    }

    [Fact]
    public void PortOutOfRangeIsRejected()
    {
        var obj = Gateway("""
              - name: http
                port: 0
                protocol: HTTP
            """);
        AssertSingleError(obj, "spec.listeners[0].port", "Invalid value: 0: should be greater than or equal to 1");
    }

    [Fact]
    public void BadListenerHostnameIsRejected()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
                hostname: "foo..example.com"
            """);
        AssertSingleError(obj, "spec.listeners[0].hostname", "Invalid value: \"foo..example.com\": should match");
    }

    [Fact]
    public void MissingRequiredListenerFieldsAreRejected()
    {
        var obj = Gateway("""
              - name: http
                protocol: HTTP
            """);
        AssertSingleError(obj, "spec.listeners[0].port", "Required value");
    }

    [Fact]
    public void MissingGatewayClassNameIsRejected()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
            """);
        obj["spec"]!.AsObject().Remove("gatewayClassName");
        AssertSingleError(obj, "spec.gatewayClassName", "Required value");
    }

    [Fact]
    public void TlsOnHttpListenerIsRejected()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
                tls:
                  certificateRefs: [{name: c}]
            """);
        AssertSingleError(obj, "spec.listeners", "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
    }

    [Fact]
    public void TerminateWithoutCertificatesIsRejected()
    {
        var obj = Gateway("""
              - name: https
                port: 443
                protocol: HTTPS
                tls:
                  mode: Terminate
            """);
        // Same text as the real API server: the absent list makes the rule error rather than return false.
        var error = AssertSingleError(obj, "spec.listeners[0].tls", "certificateRefs or options must be specified when mode is Terminate");
        Assert.Equal("Invalid value: \"object\": no such key: certificateRefs evaluating rule: certificateRefs or options must be specified when mode is Terminate", error.Message);
    }

    [Fact]
    public void BadTlsModeEnumIsRejected()
    {
        var obj = Gateway("""
              - name: tls
                port: 443
                protocol: TLS
                tls:
                  mode: Reencrypt
            """);
        AssertSingleError(obj, "spec.listeners[0].tls.mode", "Unsupported value: \"Reencrypt\": supported values: \"Terminate\", \"Passthrough\"");
    }

    [Fact]
    public void TooManyListenersIsRejected()
    {
        var listeners = string.Concat(Enumerable.Range(0, 65).Select(i => $"      - {{name: l{i}, port: {1000 + i}, protocol: HTTP}}\n"));
        AssertSingleError(Gateway(listeners), "spec.listeners", "Too many: 65: must have at most 64 items");
    }

    [Fact]
    public void IpAddressMustBeAnIp()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
            """, "addresses: [{value: not-an-ip}]");
        var errors = Validate(obj);
        Assert.Equal(2, errors.Count);
        Assert.Equal(new SchemaError("spec.addresses[0].value", "Invalid value: \"not-an-ip\": must be of type ipv4 or ipv6"), errors[0]);
        Assert.Equal("spec.addresses[0]", errors[1].Path);
        Assert.Contains("must validate one and only one schema (oneOf)", errors[1].Message, StringComparison.Ordinal);
        Assert.Equal("IPAddress", obj["spec"]!["addresses"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void ValidAddressesPass()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
            """, "addresses: [{value: 10.0.0.1}, {value: \"fd00::1\"}, {type: Hostname, value: lb.example.com}]");
        AssertValid(obj);
    }

    [Fact]
    public void InfrastructureLabelKeysAreValidated()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
            """, "infrastructure: {labels: {\"bad key!\": v}}");
        var errors = Validate(obj);
        Assert.Contains(errors, e => e.Path == "spec.infrastructure.labels" && e.Message.Contains("Label keys must be in the form", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownTopLevelSpecFieldIsRejected()
    {
        var obj = Gateway("""
              - name: http
                port: 80
                protocol: HTTP
            """, "foo: bar");
        AssertSingleError(obj, "spec.foo", "unknown field \"spec.foo\"");
    }

    [Fact]
    public void WrongTypeForListenersIsRejected()
    {
        var obj = Gateway("      {}");
        AssertSingleError(obj, "spec.listeners", "Invalid value: \"object\": must be of type array");
    }
}
