@api:clarus
Feature: Clarus goods-out creation (JSON:API)
  Seed 001: POST goods_outs takes a JSON:API document; the address is a relationship; reference, type,
  account and expected dispatch date are required.

  Background:
    Given a product exists

  @req:CLARUS-GO-JSONAPI @req:CLARUS-GO-ECHO
  Scenario: A valid goods out is created and answered as a JSON:API document
    When I create a valid goods out
    Then the goods out is created as a JSON:API document

  @req:CLARUS-GO-REQUIRED
  Scenario Outline: A goods out without <attribute> is refused
    When I create a goods out without "<attribute>"
    Then the goods out is refused

    Examples:
      | attribute                 |
      | goods_out_type            |
      | account_id                |
      | reference                 |
      | expected_date_of_dispatch |

  @req:CLARUS-GO-REQUIRED
  Scenario: A goods out of an undocumented type is refused
    When I create a goods out with goods_out_type "pallet_order"
    Then the goods out is refused

  @req:CLARUS-GO-ADDRESS-REL
  Scenario: An address in relationships is accepted
    When I create a valid goods out
    Then the goods out is accepted

  @req:CLARUS-GO-ADDRESS-NOT-ATTRIBUTE
  Scenario: An address in attributes is refused
    When I create a goods out with the address in its attributes
    Then the goods out is refused

  @req:CLARUS-GO-REFERENCE-50
  Scenario: A reference of 50 characters is accepted
    When I create a goods out with a reference of 50 characters
    Then the goods out is accepted

  @req:CLARUS-GO-REFERENCE-50
  Scenario: A reference of 51 characters is refused
    When I create a goods out with a reference of 51 characters
    Then the goods out is refused

  @req:CLARUS-GO-COUNTRY-ALPHA2
  Scenario Outline: Country code <code> is accepted
    When I create a goods out with country code "<code>"
    Then the goods out is accepted

    Examples:
      | code |
      | GB   |
      | DE   |

  @req:CLARUS-GO-COUNTRY-REFUSED
  Scenario Outline: Country code <code> is refused
    When I create a goods out with country code "<code>"
    Then the goods out is refused

    Examples:
      | code           |
      | GBR            |
      | gb             |
      | United Kingdom |
