"""docbao's own checks of the W3C Web Annotation Data Model, as JSON Schemas (draft 2020-12) built from dicts.

Each check is keyed by the id of the W3C test-suite assertion it stands for, so a failure reads like the suite's
report. The schemas are written for this project from the model's text (see README.md); they assume a
validator that asserts the `iri` and `date-time` formats (jsonschema with its format extra installed).
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

# The model's vocabulary (sections 3.2.2, 3.3.2, 3.3.5, 3.2.7-3.2.8).
MOTIVATIONS = ("assessing", "bookmarking", "classifying", "commenting", "describing", "editing", "highlighting",
               "identifying", "linking", "moderating", "questioning", "replying", "tagging")
AGENT_CLASSES = ("Person", "Organization", "Software")
RESOURCE_CLASSES = ("Dataset", "Image", "Sound", "Text", "Video")
GROUPING_CLASSES = ("Choice", "Composite", "Independents", "List")

# -- value shapes ---------------------------------------------------------------------------------------------
IRI: Schema = {"type": "string", "format": "iri"}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}  # xsd:dateTime, with the timezone the model asks for
STRING: Schema = {"type": "string"}
NON_NEGATIVE: Schema = {"type": "integer", "minimum": 0}

_TOKEN = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"  # an RFC 6838 restricted name
MEDIA_TYPE: Schema = {"type": "string",
                      "pattern": rf'^{_TOKEN}/{_TOKEN}(\s*;\s*{_TOKEN}=([^";\s]+|"[^"]*"))*$'}

# A BCP 47 tag: language[-script][-region](-variant)*(-extension)*[-privateuse], or a private-use tag alone.
_LANGUAGE = r"([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
_TAIL = (r"(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
         r"(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*")
_PRIVATE = r"[Xx](-[A-Za-z0-9]{1,8})+"
LANGUAGE_TAG: Schema = {"type": "string", "pattern": rf"^({_LANGUAGE}{_TAIL}(-{_PRIVATE})?|{_PRIVATE})$"}


# -- combinators ----------------------------------------------------------------------------------------------
def each(value: Schema) -> Schema:
    """One value or a non-empty list of them, every one matching `value` (JSON-LD compacts a single value)."""
    return {"if": {"type": "array"}, "then": {"minItems": 1, "items": value}, "else": value}


def includes(*names: str) -> Schema:
    """A string among `names`, or a list holding at least one of them (a `type` with several classes)."""
    return {"anyOf": [{"enum": list(names)}, {"type": "array", "contains": {"enum": list(names)}}]}


def has(key: str, value: Schema | bool = True) -> Schema:
    return {"type": "object", "required": [key], "properties": {key: value}}


def may_have(key: str, value: Schema) -> Schema:
    return {"type": "object", "properties": {key: value}}


def objects(rule: Schema) -> Schema:
    """`rule` applied to a value only when it is a JSON object (an IRI string is left alone)."""
    return {"if": {"type": "object"}, "then": rule}


def when_type(names: tuple[str, ...], rule: Schema) -> Schema:
    return {"if": has("type", includes(*names)), "then": rule}


def no_key(*keys: str) -> Schema:
    return {"not": {"anyOf": [{"required": [k]} for k in keys]}}


# -- resources ------------------------------------------------------------------------------------------------
# "@context": the anno.jsonld IRI, given as a plain string when it is the only value (section 3.1).
CONTEXT: Schema = {"anyOf": [{"const": ANNO_CONTEXT},
                             {"type": "array", "minItems": 2, "contains": {"const": ANNO_CONTEXT}}]}

# What a body or a target may be (sections 3.2, 3.2.4, 3.2.7, 3.2.8 and 4): an IRI, an External Web Resource, an
# Embedded Textual Body, a Choice or Set of resources, or a Specific Resource whose one source is an IRI or a
# resource with an IRI.
WEB_RESOURCE: Schema = {"type": "object", "required": ["id"], "properties": {"id": IRI},
                        **no_key("source", "value", "items")}
TEXTUAL_BODY: Schema = {"type": "object", "required": ["value"], "properties": {"value": STRING},
                        **no_key("source", "items")}
GROUPING: Schema = {"type": "object", "required": ["type", "items"],
                    "properties": {"type": includes(*GROUPING_CLASSES), "items": {"type": "array"}}}
SPECIFIC_RESOURCE: Schema = {"type": "object", "required": ["source"],
                             "properties": {"source": {"anyOf": [IRI, has("id", IRI)]}},
                             **no_key("value", "items")}
RECOGNIZED: Schema = {"anyOf": [IRI, WEB_RESOURCE, TEXTUAL_BODY, GROUPING, SPECIFIC_RESOURCE]}

# Selectors (section 4.2): each has exactly one type; the two docbao writes and reads have these members.
SELECTOR: Schema = has("type", STRING)
TEXT_QUOTE: Schema = {"required": ["exact"], "properties": {"exact": STRING, "prefix": STRING, "suffix": STRING}}
POSITION: Schema = {"required": ["start", "end"], "properties": {"start": NON_NEGATIVE, "end": NON_NEGATIVE}}

AGENT: Schema = {"type": "object", "required": ["type"], "properties": {
    "id": IRI, "type": includes(*AGENT_CLASSES), "name": each(STRING), "nickname": STRING,
    "email": each({"type": "string", "pattern": "^mailto:"}), "homepage": each(IRI)}}


def on_targets(rule: Schema) -> Schema:
    return may_have("target", each(rule))


def on_selectors(rule: Schema) -> Schema:
    return on_targets(objects(may_have("selector", each(rule))))


def on_bodies(rule: Schema) -> Schema:
    return may_have("body", each(objects(rule)))


def on_target_resource(rule: Schema) -> Schema:
    """`rule` for the resource a target is about: the source of a Specific Resource, else the target itself."""
    return on_targets({"if": {"type": "object", "required": ["source"]},
                       "then": {"properties": {"source": rule}}, "else": rule})


def _named(group: dict[str, tuple[str, Schema]]) -> dict[str, Schema]:
    """The checks of one group, each a complete schema titled by its assertion id."""
    return {name: {"$schema": DIALECT, "title": name, "description": text, **schema}
            for name, (text, schema) in group.items()}


# -- the checks -----------------------------------------------------------------------------------------------
ANNOTATION_MUSTS = _named({
    "3.1-annotationContextValidated": ("@context is the anno.jsonld IRI, or a list including it",
                                       has("@context", CONTEXT)),
    "3.1-annotationIdValidated": ("the annotation has one id, an IRI", has("id", IRI)),
    "3.1-annotationTypeValidated": ("Annotation is among its types", has("type", includes("Annotation"))),
    "3.1-targetKeyFound": ("the annotation has a target", has("target")),
    "3.2-targetObjectsRecognized": ("every target is an IRI, a web resource, a textual body, a choice or set, or a "
                                    "specific resource with one source IRI", on_targets(RECOGNIZED)),
    "3.2-bodyObjectsRecognized": ("every body, if any, is one of the resources a target may be",
                                  may_have("body", each(RECOGNIZED))),
    "3.2.5-notBodyBodyValue": ("body and bodyValue are never both present",
                               {"type": "object", "not": {"required": ["body", "bodyValue"]}}),
    "3.2.5-bodyValueValidated": ("a bodyValue is a single string", may_have("bodyValue", STRING)),
    "4.2-selectorValidIfPresent": ("every selector of a target is an object with one type",
                                   on_selectors(SELECTOR)),
    "4.2.4-textQuoteSelectorValid": ("a TextQuoteSelector has one exact string, and string prefix/suffix if any",
                                     on_selectors(when_type(("TextQuoteSelector",), TEXT_QUOTE))),
    "4.2-TextDataPositionSelectorValid": ("a TextPosition/DataPositionSelector has non-negative integer start "
                                          "and end", on_selectors(
                                              when_type(("TextPositionSelector", "DataPositionSelector"), POSITION))),
    "3.3.1-annotationCreatedValidated": ("created, if present, is one xsd:dateTime", may_have("created", DATE_TIME)),
    "3.3.1-annotationModifiedValidated": ("modified, if present, is one xsd:dateTime",
                                          may_have("modified", DATE_TIME)),
    "3.3.1-annotationGeneratedValidated": ("generated, if present, is one xsd:dateTime",
                                           may_have("generated", DATE_TIME)),
    "3.3.6-annotationRightsValidated": ("rights, if present, are IRIs", may_have("rights", each(IRI))),
    "3.3.7-annotationCanonicalValidated": ("canonical, if present, is one IRI", may_have("canonical", IRI)),
    "3.3.7-annotationViaValidated": ("via, if present, are IRIs", may_have("via", each(IRI))),
})

# The model's SHOULDs (and MAYs) that docbao's export takes on as its own rules.
ANNOTATION_SHOULDS = _named({
    "3.3.1-annotationCreatorImplemented": ("a creator is given, as Agents typed Person, Organization or Software",
                                           has("creator", each(AGENT))),
    "3.3.1-annotationGeneratorImplemented": ("a generator is given, as typed Agents",
                                             has("generator", each(AGENT))),
    "3.3.5-annotationMotivationImplemented": ("a motivation is given, from the model's list",
                                              has("motivation", each({"enum": list(MOTIVATIONS)}))),
    "3.3.5-bodyPurpose": ("every body object has a purpose from the model's list",
                          on_bodies(has("purpose", each({"enum": list(MOTIVATIONS)})))),
    "3.2.4-bodyETBTypeTextualBody": ("an embedded textual body is typed TextualBody",
                                     on_bodies({"if": {"required": ["value"]},
                                                "then": has("type", includes("TextualBody"))})),
    "3.2.1-bodyFormat": ("every body object gives its format as a media type",
                         on_bodies(has("format", each(MEDIA_TYPE)))),
    "3.2.1-bodyLanguage": ("languages are BCP 47 tags, and a commenting body gives its language",
                           on_bodies({"allOf": [
                               may_have("language", each(LANGUAGE_TAG)),
                               {"if": has("purpose", includes("commenting")), "then": {"required": ["language"]}}]})),
    "4-targSpecificResource": ("a target with a source is typed SpecificResource",
                               on_targets(objects({"if": {"required": ["source"]},
                                                   "then": has("type", includes("SpecificResource"))}))),
    "3.2.1-targFormat": ("the resource a target is about (its source, else itself) gives a media type format",
                         on_target_resource(has("format", each(MEDIA_TYPE)))),
    "3.2.2-targType": ("the resource a target is about has a class from the model's list (Text, Image...)",
                       on_target_resource(has("type", includes(*RESOURCE_CLASSES)))),
})

IS_PAGE: Schema = has("type", includes("AnnotationPage"))

COLLECTION_MUSTS = _named({
    "5.1-collectionContextValidated": ("@context is the anno.jsonld IRI, or a list including it",
                                       has("@context", CONTEXT)),
    "5.1-collectionIdValidated": ("the collection has one id, an IRI", has("id", IRI)),
    "5.1-collectionTypeValidated": ("AnnotationCollection is among its types",
                                    has("type", includes("AnnotationCollection"))),
    "5.1-collectionLabelValidated": ("labels, if any, are strings", may_have("label", each(STRING))),
    "5.1-collectionTotalValidated": ("total, if present, is one non-negative integer",
                                     may_have("total", NON_NEGATIVE)),
    "5.1-collectionFirstValidated": ("first is a page IRI or an embedded page, and is there when total > 0",
                                     {"allOf": [may_have("first", {"anyOf": [IRI, IS_PAGE]}),
                                                {"if": has("total", {"type": "integer", "minimum": 1}),
                                                 "then": {"required": ["first"]}}]}),
    "5.1-collectionLastValidated": ("last, if present, is one page IRI", may_have("last", IRI)),
    "3.3.1-collectionCreatedValidated": ("created, if present, is one xsd:dateTime", may_have("created", DATE_TIME)),
    "3.3.1-collectionModifiedValidated": ("modified, if present, is one xsd:dateTime",
                                          may_have("modified", DATE_TIME)),
    "3.3.6-collectionRightsValidated": ("rights, if present, are IRIs", may_have("rights", each(IRI))),
})


def page_rule(rule: Schema | bool) -> Schema:
    """`rule` for a page given alone, or for the page a collection embeds as its `first` (the suite accepts
    either document for its page checks)."""
    page = {"allOf": [IS_PAGE, rule]}
    return {"anyOf": [page, has("first", page)]}


PAGE_MUSTS = _named({
    "5.2-pageContextValidated": ("a page alone has the anno.jsonld @context; an embedded page has its collection's",
                                 {"anyOf": [{"allOf": [IS_PAGE, has("@context", CONTEXT)]},
                                            {"allOf": [has("@context", CONTEXT), has("first", IS_PAGE)]}]}),
    "5.2-pageIdValidated": ("the page has one id, an IRI", page_rule(has("id", IRI))),
    "5.2-pageTypeValidated": ("AnnotationPage is among the page's types", page_rule(True)),
    "5.2-pageItemsValidated": ("the page lists its items, each an IRI or an Annotation",
                               page_rule(has("items", {"type": "array", "items": {
                                   "anyOf": [IRI, has("type", includes("Annotation"))]}}))),
    "5.2-pageStartIndexValidated": ("startIndex, if present, is one non-negative integer",
                                    page_rule(may_have("startIndex", NON_NEGATIVE))),
    "5.2-pagePartOfValidated": ("partOf, if present, is the collection's IRI or the collection with its IRI",
                                page_rule(may_have("partOf", {"anyOf": [IRI, has("id", IRI)]}))),
    "5.2-pageNextValidated": ("next, if present, is one page IRI", page_rule(may_have("next", IRI))),
    "5.2-pagePrevValidated": ("prev, if present, is one page IRI", page_rule(may_have("prev", IRI))),
})

CHECKS: dict[str, Schema] = {**ANNOTATION_MUSTS, **ANNOTATION_SHOULDS, **COLLECTION_MUSTS, **PAGE_MUSTS}
