namespace Causeway.Translation.Status;

/// <summary>Condition types and reasons exactly as the Gateway API specification names them.</summary>
public static class Reasons
{
    public const string Accepted = "Accepted";
    public const string Programmed = "Programmed";
    public const string ResolvedRefs = "ResolvedRefs";
    public const string Conflicted = "Conflicted";
    public const string SupportedVersion = "SupportedVersion";
    public const string PartiallyInvalid = "PartiallyInvalid";

    public const string InvalidParameters = "InvalidParameters";
    public const string ListenersNotValid = "ListenersNotValid";
    public const string Invalid = "Invalid";
    public const string Pending = "Pending";
    public const string AddressNotAssigned = "AddressNotAssigned";
    public const string AddressNotUsable = "AddressNotUsable";
    public const string UnsupportedAddress = "UnsupportedAddress";
    public const string NoResources = "NoResources";

    public const string PortUnavailable = "PortUnavailable";
    public const string UnsupportedProtocol = "UnsupportedProtocol";
    public const string NoConflicts = "NoConflicts";
    public const string ProtocolConflict = "ProtocolConflict";
    public const string HostnameConflict = "HostnameConflict";
    public const string InvalidCertificateRef = "InvalidCertificateRef";
    public const string InvalidRouteKinds = "InvalidRouteKinds";
    public const string RefNotPermitted = "RefNotPermitted";
    public const string InvalidClientCertificateRef = "InvalidClientCertificateRef";
    public const string NoValidCACertificate = "NoValidCACertificate";
    public const string InvalidCACertificateRef = "InvalidCACertificateRef";
    public const string InvalidCACertificateKind = "InvalidCACertificateKind";

    public const string NotAllowedByListeners = "NotAllowedByListeners";
    public const string NoMatchingListenerHostname = "NoMatchingListenerHostname";
    public const string NoMatchingParent = "NoMatchingParent";
    public const string UnsupportedValue = "UnsupportedValue";
    public const string InvalidKind = "InvalidKind";
    public const string BackendNotFound = "BackendNotFound";
    public const string NotAllowed = "NotAllowed";
    public const string ParentNotAccepted = "ParentNotAccepted";
    public const string InsecureFrontendValidationMode = "InsecureFrontendValidationMode";
    public const string ConfigurationChanged = "ConfigurationChanged";
}
