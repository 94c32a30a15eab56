from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.site_spec import SiteSpec


T = TypeVar("T", bound="SitesBody")


@_attrs_define
class SitesBody:
    """The sites a program's events come from.

    Attributes:
        sites (list[SiteSpec]): `tmall`, `taobao`, `wechat_mp`, a family such as `store:*`… Empty: any site.
    """

    sites: list[SiteSpec]

    def to_dict(self) -> dict[str, Any]:
        sites = []
        for sites_item_data in self.sites:
            sites_item = sites_item_data.to_dict()
            sites.append(sites_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sites": sites,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.site_spec import SiteSpec  # noqa: PLC0415

        d = dict(src_dict)
        sites = []
        _sites = d.pop("sites")
        for sites_item_data in _sites:
            sites_item = SiteSpec.from_dict(sites_item_data)

            sites.append(sites_item)

        sites_body = cls(
            sites=sites,
        )

        return sites_body
