package io.tradestore.trading;

/**
 * What {@link OrderDao#fill} did: the order after the fill, and the stored fill. {@code duplicate} is true when the
 * venue had already reported this trade id for this order with the same values: nothing was written, and order and
 * fill are as stored.
 */
public record FillResult(Order order, Fill fill, boolean duplicate) {
}
