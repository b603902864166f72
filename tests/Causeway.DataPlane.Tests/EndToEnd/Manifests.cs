namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>Manifests the reload and bad-input tests write themselves (namespace <c>test</c>, GatewayClass <c>eg</c>).</summary>
public static class Manifests
{
    public const string GatewayClass = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata:
          name: eg
        spec:
          controllerName: gateway.envoyproxy.io/gatewayclass-controller
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: test

        """;

    /// <summary>A Gateway <c>gw</c> with an HTTP listener on 8080 and one HTTPS listener per (name, port, secret).</summary>
    public static string Gateway(params (string Name, int Port, string Secret)[] https)
    {
        var listeners = string.Concat(https.Select(h => $"""
              - name: {h.Name}
                protocol: HTTPS
                port: {h.Port}
                allowedRoutes:
                  namespaces:
                    from: All
                tls:
                  mode: Terminate
                  certificateRefs:
                  - name: {h.Secret}

            """));
        return $"""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: gw
              namespace: test
            spec:
              gatewayClassName: eg
              listeners:
              - name: http
                protocol: HTTP
                port: 8080
                allowedRoutes:
                  namespaces:
                    from: All

            """ + listeners;
    }

    /// <summary>Service <paramref name="name"/> port 80 -> an EndpointSlice at <paramref name="address"/>:3000.</summary>
    public static string Service(string name, string address) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: test
        spec:
          ports:
          - name: http
            port: 80
            protocol: TCP
            targetPort: 3000
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: {name}-local
          namespace: test
          labels:
            kubernetes.io/service-name: {name}
        addressType: IPv4
        ports:
        - name: http
          port: 3000
          protocol: TCP
        endpoints:
        - addresses:
          - {address}
          conditions:
            ready: true

        """;

    /// <summary>An HTTPRoute on every listener of <c>gw</c> for <paramref name="host"/> to weighted Services.</summary>
    public static string Route(string name, string host, params (string Service, int Weight)[] backends)
    {
        var refs = string.Concat(backends.Select(b => $"""
                - name: {b.Service}
                  port: 80
                  weight: {b.Weight}

            """));
        return $"""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: {name}
              namespace: test
            spec:
              parentRefs:
              - name: gw
              hostnames:
              - {host}
              rules:
              - backendRefs:

            """ + refs;
    }
}
