"""The namespaces of the two sides: SPSCertificate 17 (ePhyto) and the ePhyto DIP."""

SPS_NS = "urn:un:unece:uncefact:data:standard:SPSCertificate:17"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
UDT_NS = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21"
DS_SIG_NS = "http://www.w3.org/2000/09/xmldsig#"
EPHYTO_NSMAP = {"rsm": SPS_NS, "ram": RAM_NS, "udt": UDT_NS}

DIP_NS = "urn:ephyto-dip:datamodel:ePhytoDIP:1"
DIP_DS_NS = "urn:ephyto-dip:datamodel:ePhytoDIP_DS:1"
DIP_EXT_NS = "urn:ephyto-dip:datamodel:ePhytoDIP-IPPC:1"
DIP_NSMAP = {None: DIP_NS, "ds": DIP_DS_NS, "ippc": DIP_EXT_NS}
