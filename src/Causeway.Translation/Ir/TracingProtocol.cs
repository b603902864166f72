namespace Causeway.Translation.Ir;

/// <summary>How spans are sent to the collector.</summary>
public enum TracingProtocol
{
    /// <summary>OTLP over gRPC (port 4317 by convention).</summary>
    Grpc,

    /// <summary>OTLP over HTTP with protobuf bodies (port 4318 by convention).</summary>
    HttpProtobuf,
}
